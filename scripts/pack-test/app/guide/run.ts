// Runs the guide's steps on memory, from the packed package.
import { handleCommands } from "./02-handle-commands.js";
import { projectCarts } from "./03-project.js";
import { snapshotCarts } from "./04-snapshot.js";
import { versionEvents } from "./05-version-events.js";
import { testCart } from "./06-test.js";

await handleCommands("memory:");
await projectCarts("memory:");
await snapshotCarts("memory:");
await versionEvents("memory:");
await testCart();
console.log("the guide's steps ran");
