import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * A uPlot chart in the returned element's place, as wide as the element and redrawn when it
 * resizes or when `options`/`data` change (a new object each render that matters: the theme, the
 * period's answer, the language).
 */
export function useUplot(
  makeOptions: (width: number, element: HTMLElement) => uPlot.Options,
  data: uPlot.AlignedData,
  dependencies: readonly unknown[],
): React.RefObject<HTMLDivElement> {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    let chart: uPlot | undefined;
    let width = 0;
    const draw = () => {
      const next = Math.floor(element.clientWidth);
      if (next === width || next === 0) return;
      width = next;
      chart?.destroy();
      chart = new uPlot(makeOptions(width, element), data, element);
    };
    draw();
    const observer = new ResizeObserver(draw);
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart?.destroy();
    };
    // The caller names what the options and data depend on.
  }, dependencies);
  return ref;
}
