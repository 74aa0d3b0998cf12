// Keyboard reachability for the console tests: press Tab like a keyboard user until the focused element is the one
// wanted, checking on the way that each focused element shows a focus indicator (outline or box-shadow).
import type { Page } from 'playwright-core';

export interface Focused {
  tag: string;
  role: string | null;
  /** aria-label, else the text (trimmed, first 80 characters), else title. */
  name: string;
  /** The focus ring is visible: a non-zero outline or a box-shadow. */
  visible: boolean;
}

export async function focused(page: Page): Promise<Focused | undefined> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return undefined;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const name = el.getAttribute('aria-label') ?? (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 80) ?? el.title;
    return { tag: el.tagName.toLowerCase(), role: el.getAttribute('role'), name: name || el.title, visible: outline || style.boxShadow !== 'none' };
  });
}

/**
 * Presses Tab until the focused element matches; fails naming every element passed on the way when it is not
 * reached within `maxTabs`, or when one of them had no visible focus indicator.
 */
export async function tabTo(page: Page, wanted: (f: Focused) => boolean, what: string, maxTabs = 60): Promise<Focused> {
  const path: Focused[] = [];
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f) continue;
    path.push(f);
    if (!f.visible) throw new Error(`${f.tag} "${f.name}" takes focus without a visible focus indicator (on the way to ${what})`);
    if (wanted(f)) return f;
  }
  throw new Error(`${what} not reached in ${maxTabs} Tab presses; focus went through: ${path.map((f) => `${f.tag} "${f.name}"`).join(', ')}`);
}

/** Matches a focused element by tag and exact name (or a name pattern). */
export const isElement = (tag: string, name: string | RegExp) => (f: Focused): boolean =>
  f.tag === tag && (typeof name === 'string' ? f.name === name : name.test(f.name));
