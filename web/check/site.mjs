// Opens a published map in headless Chromium as a reader would: waits for the app, inspects a
// relationship, opens the filter, steps through the story; saves screenshots to look at and
// fails on any console error or warning, a failed request, or an app that did not start.
// With `editable`, also adds a concept and saves (the browser must download the changed map),
// then drops that map, retitled, on the page (it must open).
// Usage: node site.mjs URL OUT_PREFIX [editable]
import fs from "node:fs";
import { launch, watch, settle } from "./common.mjs";

const [url, out = "site", mode] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
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
let saved = null;
if (mode === "editable") {
  // Leave the story, add a concept (toolbar), save (Ctrl+S): the download is the changed map.
  await page.keyboard.press("Escape");
  await settle(page);
  await page.mouse.click(50, 37);
  await settle(page);
  const download = page.waitForEvent("download", { timeout: 15000 });
  await page.mouse.click(640, 400);
  await page.keyboard.press("Control+s");
  const file = await download;
  const map = JSON.parse(fs.readFileSync(await file.path(), "utf8"));
  saved = { name: file.suggestedFilename(), concepts: map.concepts.length };
  if (saved.concepts !== 20) problems.push(`the downloaded map has ${saved.concepts} concepts, not the example's 19 and the new one`);
  await page.screenshot({ path: `${out}-saved.png` });
  // A map dropped on the page opens in place of this one (saved just now, so nothing is asked).
  const dropped = JSON.parse(fs.readFileSync(await file.path(), "utf8"));
  dropped.info.title = "Dropped study";
  await page.evaluate((text) => {
    const canvas = document.getElementById("qualmap_canvas");
    const data = new DataTransfer();
    data.items.add(new File([text], "dropped.qualmap", { type: "application/json" }));
    for (const type of ["dragenter", "dragover", "drop"]) {
      canvas.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  }, JSON.stringify(dropped));
  await page.waitForFunction(() => document.title.startsWith("Dropped study"), null, { timeout: 15000 });
  await settle(page);
  await page.screenshot({ path: `${out}-dropped.png` });
}
await browser.close();
const report = { url, started_ms: started, first_frame_ms: firstFrame, title, saved, problems };
console.log(JSON.stringify(report));
if (problems.length > 0) {
  console.error(`site check: ${problems.length} problem(s) in the browser:\n${problems.join("\n")}`);
  process.exit(1);
}
