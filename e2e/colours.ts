/** A colour as red, green and blue (0–255) and alpha (0–1). */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/**
 * Parses a colour as `getComputedStyle` reports it: `rgb(…)`, `rgba(…)`, or `color(srgb …)` (what
 * Chromium gives for `color-mix`), or `#rrggbb`.
 */
export function parseColor(css: string): Rgba {
  const hex = /^#([\da-f]{2})([\da-f]{2})([\da-f]{2})$/i.exec(css.trim());
  if (hex) {
    const [r, g, b] = hex.slice(1).map((part) => parseInt(part, 16));
    return { r: r!, g: g!, b: b!, a: 1 };
  }
  const numbers = (css.match(/[\d.]+/g) ?? []).map(Number);
  if (css.startsWith('color(srgb')) {
    const [r = 0, g = 0, b = 0, a = 1] = numbers;
    return { r: r * 255, g: g * 255, b: b * 255, a };
  }
  if (css.startsWith('rgb')) {
    const [r = 0, g = 0, b = 0, a = 1] = numbers;
    return { r, g, b, a };
  }
  throw new Error(`not a colour this test reads: ${css}`);
}

/** `top` drawn over the opaque `bottom`. */
function over(top: Rgba, bottom: Rgba): Rgba {
  const mix = (a: number, b: number) => a * top.a + b * (1 - top.a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

/** WCAG 2 relative luminance. */
export function luminance(color: Rgba): number {
  const channel = (value: number) => {
    const c = value / 255;
    return c <= 0.040_45 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b);
}

/** WCAG 2 contrast ratio of `foreground` (blended over `background` if translucent). */
export function contrastRatio(foreground: string | Rgba, background: string | Rgba): number {
  const bottom = typeof background === 'string' ? parseColor(background) : background;
  const top = over(typeof foreground === 'string' ? parseColor(foreground) : foreground, bottom);
  const [light, dark] = [luminance(top), luminance(bottom)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}
