// The API reference: TypeDoc over every subpath entry (typedoc.json) into docs/api/.
//   node scripts/api-docs.mjs          generates docs/api/ (npm run docs:api)
//   node scripts/api-docs.mjs --check  generates nothing; fails when a public export has no doc
//                                      comment, or TypeDoc warns (a broken {@link}, for instance)
// "Public export" means what a user imports: the classes, interfaces, types, functions and values
// each entry exports. Their members are not required to carry a comment of their own.
import { Application, ReflectionKind } from "typedoc";

const check = process.argv.includes("--check");
const app = await Application.bootstrapWithPlugins({}, undefined);
const project = await app.convert();
if (!project) process.exit(1);

const EXPORT_KINDS =
  ReflectionKind.Class | ReflectionKind.Interface | ReflectionKind.TypeAlias | ReflectionKind.Function | ReflectionKind.Variable | ReflectionKind.Enum;

const undocumented = [];
for (const reflection of project.getReflectionsByKind(EXPORT_KINDS)) {
  if (!reflection.parent?.kindOf(ReflectionKind.Module | ReflectionKind.Project)) continue;
  const documented = reflection.hasComment() || (reflection.signatures ?? []).some((signature) => signature.hasComment());
  if (!documented) undocumented.push(`${reflection.getFriendlyFullName()} (${ReflectionKind.singularString(reflection.kind)})`);
}

app.validate(project);
if (undocumented.length > 0) {
  console.error(`${undocumented.length} public export(s) without a doc comment:\n  ${[...new Set(undocumented)].sort().join("\n  ")}`);
  process.exit(1);
}
if (app.logger.hasErrors() || app.logger.hasWarnings()) process.exit(1);
if (check) {
  console.log("API reference: every public export is documented");
} else {
  await app.generateDocs(project, app.options.getValue("out"));
  if (app.logger.hasErrors()) process.exit(1);
}
