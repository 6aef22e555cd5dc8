/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The VS Code workbench in headless Chromium, as a person uses it: the
// explorer, the editor, the command palette, the status bar, the Problems
// panel, hovers and notifications. Each method waits for what it needs.

import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";

/** Chromium from Debian: the test never downloads a browser. */
export const chromiumPath = "/usr/bin/chromium";

/** How long a step may wait for the workbench: a guard, not a speed claim. */
export const stepTimeout = 60_000;

/** What the status bar item shows. */
export interface StatusItem {
  /** The icon: "check", "error", "sync~spin", … */
  readonly icon: string;
  /** The text after the icon. */
  readonly text: string;
  /** The accessible label: the text and the tooltip. */
  readonly label: string;
}

/** Workbench drives one VS Code window. */
export class Workbench {
  private shots = 0;

  private constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
    private readonly shotDir: string,
  ) {
    page.setDefaultTimeout(stepTimeout);
  }

  /**
   * open starts Chromium with a fresh profile in profileDir (and HOME there
   * too, for what it writes besides) and loads url.
   */
  static async open(url: string, profileDir: string, shotDir: string): Promise<Workbench> {
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath,
      env: { ...process.env, HOME: profileDir },
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
      viewport: { width: 1400, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const wb = new Workbench(context, page, shotDir);
    await page.goto(url);
    await page.locator(".monaco-workbench .part.statusbar").waitFor();
    return wb;
  }

  /** shot saves a screenshot named after the step. */
  async shot(step: string): Promise<string> {
    fs.mkdirSync(this.shotDir, { recursive: true });
    const file = path.join(this.shotDir, `${String(++this.shots).padStart(2, "0")}-${step.replace(/[^\w.-]+/g, "-")}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  /** openFile opens a file of the workspace from the explorer. */
  async openFile(name: string): Promise<void> {
    await this.page.locator(".explorer-folders-view .monaco-list-row", { hasText: name }).first().click();
    await this.page.locator(`.tabs-container .tab.active[aria-label^="${name}"]`).waitFor();
    await this.editorLines().first().waitFor();
  }

  /** editorLines are the lines of the active editor. */
  editorLines(): Locator {
    return this.page.locator(".editor-group-container.active .monaco-editor .view-lines .view-line");
  }

  /** text is the active editor's text, one string per line in order. */
  async text(): Promise<string[]> {
    return this.page.evaluate(() => {
      const lines = [...document.querySelectorAll<HTMLElement>(".editor-group-container.active .monaco-editor .view-lines .view-line")];
      lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      return lines.map((l) => l.textContent.replace(/\u00a0/g, " "));
    });
  }

  /** setText replaces the active editor's text, as a paste would. */
  async setText(text: string): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press("Control+a");
    await this.page.keyboard.insertText(text);
  }

  /** typeAtEnd adds text at the end of the active editor. */
  async typeAtEnd(text: string): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press("Control+End");
    await this.page.keyboard.insertText(text);
  }

  /** select selects line (1-based) of the active editor, from its first character. */
  async goToLine(line: number): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press("Control+g");
    await this.page.keyboard.insertText(String(line));
    await this.page.keyboard.press("Enter");
  }

  private async focusEditor(): Promise<void> {
    await this.page.locator(".editor-group-container.active .monaco-editor .view-lines").click({ position: { x: 5, y: 5 } });
  }

  /** save saves the active editor (Ctrl+S). */
  async save(): Promise<void> {
    await this.page.keyboard.press("Control+s");
    await this.page.locator(".tabs-container .tab.active.dirty").waitFor({ state: "detached" });
  }

  /** isDirty reports whether the active editor has unsaved changes. */
  async isDirty(): Promise<boolean> {
    return (await this.page.locator(".tabs-container .tab.active.dirty").count()) > 0;
  }

  /** command runs a command from the palette by its title, e.g. "Hotload: Interrupt". */
  async command(title: string): Promise<void> {
    await this.page.keyboard.press("F1");
    const input = this.page.locator(".quick-input-widget .quick-input-box input");
    await input.waitFor();
    await this.page.keyboard.insertText(title);
    const row = this.page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: title }).first();
    await row.waitFor();
    await this.page.keyboard.press("Enter");
    await this.page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  }

  /** status reads hotload's status bar item, all at once: it changes as it likes. */
  async status(): Promise<StatusItem> {
    const item = this.page.locator("#hotload-dev\\.hotload\\.hotload\\.status");
    await item.waitFor();
    return item.evaluate((el) => {
      const icon = el.querySelector(".codicon")?.getAttribute("class") ?? "";
      return {
        icon: /codicon-([\w~-]+)/.exec(icon)?.[1] ?? "",
        text: el.textContent.trim(),
        label: el.querySelector("a")?.getAttribute("aria-label") ?? el.getAttribute("aria-label") ?? "",
      };
    });
  }

  /** waitStatus waits until the status bar item satisfies cond, and returns it. */
  async waitStatus(what: string, cond: (s: StatusItem) => boolean): Promise<StatusItem> {
    return this.until(`the status bar item: ${what}`, async () => {
      const s = await this.status();
      return cond(s) ? s : undefined;
    });
  }

  /** problemCounts reads the status bar's problem counts: errors and warnings. */
  async problemCounts(): Promise<{ errors: number; warnings: number }> {
    const label = (await this.page.locator("#status\\.problems").first().getAttribute("aria-label")) ?? "";
    const count = (kind: string) => Number(new RegExp(`${kind}: (\\d+)`).exec(label)?.[1] ?? "0");
    return { errors: count("Errors"), warnings: count("Warnings") };
  }

  /**
   * problems opens the Problems panel and returns its entries' labels, e.g.
   * "Error: TypeError: … at line 2 column 12", grouped below file rows.
   */
  async problems(): Promise<string[]> {
    await this.page.keyboard.press("Control+Shift+m");
    const panel = this.page.locator(".markers-panel");
    await panel.waitFor();
    return panel.locator(".monaco-list-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("aria-label") ?? r.textContent));
  }

  /** toasts returns the notifications shown, as their message text. */
  async toasts(): Promise<string[]> {
    return this.page.locator(".notifications-toasts .notification-toast .notification-list-item-message").allTextContents();
  }

  /** clearToasts dismisses every notification. */
  async clearToasts(): Promise<void> {
    await this.command("Notifications: Clear All Notifications");
    await this.page.locator(".notifications-toasts .notification-toast").first().waitFor({ state: "detached" });
  }

  /** afterTexts returns the texts decorations show after lines, by 1-based line. */
  async afterTexts(): Promise<Map<number, string[]>> {
    const pairs = await this.page.evaluate(() => {
      const out: [number, string][] = [];
      const lines = [...document.querySelectorAll<HTMLElement>(".editor-group-container.active .monaco-editor .view-lines .view-line")];
      lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      lines.forEach((line, i) => {
        for (const span of line.querySelectorAll("span")) {
          const after = getComputedStyle(span, "::after").content;
          if (after && after !== "none" && after !== "normal") out.push([i + 1, JSON.parse(after) as string]);
        }
      });
      return out;
    });
    const out = new Map<number, string[]>();
    for (const [line, text] of pairs) out.set(line, [...(out.get(line) ?? []), text]);
    return out;
  }

  /** selectText selects the first match of text in the active editor, with Find. */
  async selectText(text: string): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press("Control+Home");
    await this.page.keyboard.press("Control+f");
    await this.page.locator(".editor-group-container.active .find-widget.visible").waitFor();
    await this.page.keyboard.press("Control+a");
    await this.page.keyboard.insertText(text);
    await this.page.locator(".editor-group-container.active .find-widget .matchesCount", { hasText: /^1 of/ }).waitFor();
    await this.page.keyboard.press("Escape");
    await this.page.locator(".editor-group-container.active .find-widget.visible").waitFor({ state: "hidden" });
  }

  /** hoverLine moves the mouse onto text in line (1-based) and returns the hover's text. */
  async hoverLine(line: number, text: string): Promise<string> {
    await this.page.mouse.move(0, 0);
    const row = this.page.locator(".editor-group-container.active .monaco-editor .view-lines .view-line").nth(line - 1);
    const span = row.locator("span span", { hasText: text }).first();
    await span.hover();
    const hover = this.page.locator(".monaco-hover:not(.hidden) .monaco-hover-content").first();
    await hover.waitFor();
    return (await hover.textContent()) ?? "";
  }

  /** statusBarTexts returns the texts of every status bar item. */
  async statusBarTexts(): Promise<string[]> {
    return this.page.locator(".part.statusbar .statusbar-item").allTextContents();
  }

  /** until polls f until it returns a value, for at most stepTimeout. */
  async until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + stepTimeout;
    for (;;) {
      const v = await f();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await this.page.waitForTimeout(100);
    }
  }
}
