/** Re-renders the markdown from a saved report: `tsx bench/render.ts [results.json] [out.md]`. */
import { readFileSync, writeFileSync } from "node:fs";
import { renderMarkdown, type Report } from "./report.js";

const [input = "bench/results/latest.json", output = "docs/benchmarks.md"] = process.argv.slice(2);
const report = JSON.parse(readFileSync(input, "utf8")) as Report;
writeFileSync(output, renderMarkdown(report));
console.error(`rendered ${input} → ${output}`);
