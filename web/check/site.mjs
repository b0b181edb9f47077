// Opens a published map in headless Chromium as a reader would: waits for the app, inspects a
// relationship, opens the filter, steps through the story; saves screenshots to look at and
// fails on any console error or warning, a failed request, or an app that did not start.
// Usage: node site.mjs URL OUT_PREFIX
import { launch, watch, settle } from "./common.mjs";

const [url, out = "site"] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const problems = watch(page);
const t0 = Date.now();
await page.goto(url);
await page.waitForFunction(() => !document.getElementById("loading"), null, { timeout: 120000 });
const started = Date.now() - t0;
// The app names the tab after the map once its first frame has run.
await page.waitForFunction(() => document.title.endsWith("— Qualmap"), null, { timeout: 30000 });
const firstFrame = Date.now() - t0;
await settle(page);
await page.screenshot({ path: `${out}-opened.png` });
// A relationship: the label "leads to" between Reflection and Handling difficult situations
// in the example at this size; the inspector then shows it with its evidence.
await page.mouse.click(310, 403);
await settle(page);
await page.screenshot({ path: `${out}-relationship.png` });
// The evidence filter (toolbar).
await page.mouse.click(446, 37);
await settle(page);
await page.screenshot({ path: `${out}-filter.png` });
await page.keyboard.press("Escape");
// The story: F5 presents, the right arrow steps.
await page.mouse.click(640, 600);
await page.keyboard.press("F5");
await settle(page, 1500);
await page.keyboard.press("ArrowRight");
await settle(page, 1500);
await page.screenshot({ path: `${out}-story.png` });
const title = await page.title();
await browser.close();
const report = { url, started_ms: started, first_frame_ms: firstFrame, title, problems };
console.log(JSON.stringify(report));
if (problems.length > 0) {
  console.error(`site check: ${problems.length} problem(s) in the browser:\n${problems.join("\n")}`);
  process.exit(1);
}
