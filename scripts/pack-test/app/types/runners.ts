// Each runner's module is a TestRunner as it is: vitest's and node:test's namespaces, jest's globals.
import * as jestGlobals from "@jest/globals";
import * as nodeTest from "node:test";
import * as vitest from "vitest";
import type { TestRunner } from "switchyard-events/testing";

export const runners: readonly TestRunner[] = [vitest, nodeTest, jestGlobals];
