import type { Locator, Page } from 'playwright-core';

// Functions below run in the page: the test program has no DOM types, so they are strings.

/**
 * Texts the user cannot read whole: cut by their box (an ellipsis, a clipped button label, an
 * input scrolled inside its field, a line clipped at the bottom) or lying off the side of the screen (a row that scrolls
 * sideways with no sign that it does). `allowed` names elements that cut long user-written
 * text on purpose (one-line titles in a list).
 */
export function cutTexts(page: Page, allowed: string[] = []): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const allowed = ${JSON.stringify(allowed.join(', ') || ':not(*)')};
    const width = document.documentElement.clientWidth;
    const measure = document.createElement('canvas').getContext('2d');
    const clips = (style) => style.overflowX !== 'visible';
    const found = [];
    const opaque = (hit) => {
      const background = getComputedStyle(hit).backgroundColor;
      return background.startsWith('rgb(') || (background.startsWith('color(') && !background.includes('/'));
    };
    const onTop = (hit) => {
      for (let node = hit; node; node = node.parentElement) {
        const position = getComputedStyle(node).position;
        if (position === 'fixed' || position === 'sticky') return true;
      }
      return false;
    };
    for (const element of document.querySelectorAll('body *')) {
      if (element.closest(allowed)) continue;
      const style = getComputedStyle(element);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const field = element instanceof HTMLInputElement && element.type !== 'file';
      if (field && element.type === 'date') {
        // Chromium draws the date (or its mm/dd/yyyy mask) and a 24 px picker icon inside.
        measure.font = style.font;
        const room = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const needed = measure.measureText('mm/dd/yyyy').width + 24;
        if (needed > room + 1) found.push('a date: cut in its field (' + Math.round(needed) + ' px in ' + Math.round(room) + ')');
        continue;
      }
      if (field) {
        const text = element.value || element.placeholder;
        if (!text) continue;
        measure.font = style.font;
        const room = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const needed = element.value ? element.scrollWidth - element.clientWidth + room : measure.measureText(text).width;
        if (needed > room + 1) found.push(text + ': cut in its field (' + Math.round(needed) + ' px in ' + Math.round(room) + ')');
        continue;
      }
      const nodes = [...element.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
      if (nodes.length === 0) continue;
      const text = nodes.map((node) => node.textContent.trim()).join(' ');
      const range = document.createRange();
      range.setStartBefore(nodes[0]);
      range.setEndAfter(nodes[nodes.length - 1]);
      const extent = range.getBoundingClientRect();
      if (extent.left < -0.5 || extent.right > width + 0.5) {
        found.push(text + ': off the screen (' + Math.round(extent.left) + '..' + Math.round(extent.right) + ')');
        continue;
      }
      if (clips(style) && element.scrollWidth > element.clientWidth + 1) {
        found.push(text + ': cut (' + element.scrollWidth + ' px in ' + element.clientWidth + ')');
        continue;
      }
      // Another box painted over part of the text (bars fixed to the screen cover what scrolls
      // under them on purpose; a see-through overlay such as a tap ripple hides nothing).
      const covering = [extent.top + 2, extent.bottom - 2]
        .filter((y) => y > 0 && y < innerHeight)
        .map((y) => document.elementFromPoint(extent.left + extent.width / 2, y))
        .find(
          (hit) => hit && !element.contains(hit) && !hit.contains(element) && opaque(hit) && !onTop(hit),
        );
      if (covering) {
        found.push(text + ': covered by ' + covering.tagName.toLowerCase() + '.' + covering.className);
        continue;
      }
      // An ancestor that clips: a text past its edge is cut, and one past its content box is
      // ended with an ellipsis.
      for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
        const frame = getComputedStyle(parent);
        if (!clips(frame)) continue;
        const inner = frame.textOverflow === 'ellipsis';
        const bounds = parent.getBoundingClientRect();
        const left = bounds.left + parent.clientLeft + (inner ? parseFloat(frame.paddingLeft) : 0);
        const right = bounds.left + parent.clientLeft + parent.clientWidth - (inner ? parseFloat(frame.paddingRight) : 0);
        if (extent.left < left - 0.5 || extent.right > right + 0.5) {
          found.push(text + ': cut by its container (' + Math.round(extent.width) + ' px in ' + Math.round(right - left) + ')');
          break;
        }
        const hides = frame.overflowY === 'hidden' || frame.overflowY === 'clip';
        const top = bounds.top + parent.clientTop;
        if (hides && (extent.top < top - 0.5 || extent.bottom > top + parent.clientHeight + 0.5)) {
          found.push(text + ': cut off at the top or bottom by its container');
          break;
        }
      }
    }
    return found;
  })()`);
}

/** The left edge of an element on the screen, in CSS pixels. */
export async function leftEdge(locator: Locator): Promise<number> {
  const box = await locator.first().boundingBox();
  if (!box) throw new Error(`${String(locator)} is not on the page`);
  return Math.round(box.x);
}
