import { useSyncExternalStore } from 'react';
import { isDarkTheme, onThemeChange } from '../../../theme';

/** The colours a chart draws with, from the theme of the element it sits in. */
export interface ChartColours {
  created: string;
  resolved: string;
  text: string;
  hint: string;
  grid: string;
}

/**
 * The theme's colours for a canvas (which cannot use CSS variables): telegram-ui's variables as
 * the element inherits them, read again whenever the theme turns.
 */
export function chartColours(element: Element): ChartColours {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const dark = isDarkTheme();
  const hint = read('--tgui--hint_color', dark ? '#aaaaaa' : '#707579');
  return {
    created: read('--tgui--link_color', dark ? '#8774e1' : '#3390ec'),
    // Green that keeps its contrast on either background (Apple's system green, light and dark).
    resolved: dark ? '#30d158' : '#248a3d',
    text: read('--tgui--text_color', dark ? '#ffffff' : '#000000'),
    hint,
    grid: dark ? 'rgba(255,255,255,0.12)' : 'rgba(0,0,0,0.08)',
  };
}

/** True while the app is dark; re-renders on a change so charts redraw in the new colours. */
export function useDark(): boolean {
  return useSyncExternalStore(onThemeChange, isDarkTheme);
}
