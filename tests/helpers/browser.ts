/** Headless Debian Chromium driven by puppeteer-core, for tests that look at pages as a reader does. */
import { execFileSync } from "child_process";
import puppeteer, { Browser, Page } from "puppeteer-core";
import { chromiumPath } from "../../scripts/render/book";

const command = chromiumPath();
/** puppeteer needs a path, not a command name. */
const chromium = command && execFileSync("sh", ["-c", 'command -v "$0"', command], { encoding: "utf8" }).trim();
/** A skip reason for node:test when there is no Chromium (CI must have one: see the render tests). */
export const browserMissing = chromium ? false : "chromium is not installed (npm run setup)";

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({ executablePath: chromium!, headless: true, args: ["--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"] });
}

/** Opens `url` in a new page at `width` px, collecting console errors and uncaught exceptions into `errors`. */
export async function openPage(browser: Browser, url: string, width = 1280): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  page.on("pageerror", (e) => void errors.push(String(e)));
  await page.setViewport({ width, height: 900 });
  await page.goto(url, { waitUntil: "load" });
  return { page, errors };
}
