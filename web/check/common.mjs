// What the browser checks share: Debian's Chromium, headless, drawing WebGL2 in software, with
// no network beyond the page (this machine's network is closed: without these flags Chromium's
// own connections fail by the dozen and clutter the log).
import { chromium } from "playwright-core";

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless=new", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--no-first-run", "--disable-quic",
    ],
  });
}

// Collects console errors and warnings, page errors and failed requests.
export function watch(page) {
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e}`));
  page.on("requestfailed", (r) => {
    // An event stream closed by the room's end is not a failure of the page.
    if (!r.url().endsWith("/events")) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  return problems;
}

// Waits for animations (camera moves, fades) to finish.
export async function settle(page, ms = 800) {
  await page.waitForTimeout(ms);
}
