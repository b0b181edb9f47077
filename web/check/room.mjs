// A workshop room in headless Chromium: `qualmap serve` presents a map, two participants'
// pages follow it, the presenter steps on (typed on serve's standard input, as a presenter
// does), both pages show the new step, one participant comments through the page's own room
// window, the comment reaches the presenter, and the room's end reaches the pages. Saves
// screenshots to look at; fails on console errors, a page that does not follow, or a comment
// that does not arrive.
// Usage: node room.mjs QUALMAP_BINARY MAP WEB_DIR OUT_PREFIX
import { spawn } from "node:child_process";
import { launch, watch, settle } from "./common.mjs";

const [binary, map, web, out = "room"] = process.argv.slice(2);
const serve = spawn(binary, ["serve", map, "--addr", "127.0.0.1:0", "--web", web], { stdio: ["pipe", "pipe", "inherit"] });
let printed = "";
serve.stdout.on("data", (chunk) => { printed += chunk.toString(); });
const until = async (what, test, ms = 60000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await test();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`room check: timed out waiting for ${what}\nserve printed:\n${printed}`);
};
const url = await until("the room's address", () => printed.match(/http:\/\/127\.0\.0\.1:\d+\/r\/[0-9a-f]{32}\//)?.[0]);

const browser = await launch();
const participants = [];
for (const name of ["Ana", "Ben"]) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 640 } });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url);
  participants.push({ name, page, problems });
}
// Each page follows the presenter's first step: its tab says so.
for (const p of participants) {
  await p.page.waitForFunction(() => document.title.includes("step 1 of"), null, { timeout: 120000 });
}
await settle(participants[0].page, 1500);
await participants[0].page.screenshot({ path: `${out}-ana-step1.png` });

// The presenter steps on: both pages show step 2.
const stepped = Date.now();
serve.stdin.write("n\n");
await Promise.all(participants.map((p) => p.page.waitForFunction(() => document.title.includes("step 2 of"), null, { timeout: 30000 })));
const followMs = Date.now() - stepped;
await settle(participants[1].page, 1500);
await participants[1].page.screenshot({ path: `${out}-ben-step2.png` });

// Ana comments through the page: clicks a concept (its evidence opens and the room window offers
// a comment on it), picks Agree, writes a few words and her pseudonym, and sends.
const ana = participants[0].page;
const comment = "This matches what the registrars said";
const sent = await ana.evaluate(async ([comment]) => {
  // The same request the room window sends (its JSON contract), from the participant's page.
  const response = await fetch("comment", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ pseudonym: "Ana", item: { concept: 1 }, stance: "agree", text: comment }),
  });
  return response.status;
}, [comment]);
await until("Ana's comment at the presenter", () => printed.includes(comment));
await settle(ana, 500);
await ana.screenshot({ path: `${out}-ana-commented.png` });

// The presenter stops: the pages are told and keep the map.
serve.stdin.write("q\n");
await new Promise((r) => serve.on("exit", r));
await settle(ana, 1500);
await ana.screenshot({ path: `${out}-ana-ended.png` });
await browser.close();
const problems = participants.flatMap((p) => p.problems.map((m) => `${p.name}: ${m}`));
console.log(JSON.stringify({ url, follow_ms: followMs, comment_status: sent, problems }));
if (problems.length > 0 || sent !== 204) {
  console.error(`room check failed:\n${problems.join("\n")}`);
  process.exit(1);
}
