// The article's scenario, end to end: examples/provision_from_csv.mjs reads users from a CSV
// file and creates them through the SCIM API with WORKSPACE_NAMES entitlements, with a
// credential issued in the console; the console then shows them with their workspaces.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { Console, hydrated, unique } from "./console";

const run = promisify(execFile);
const script = resolve(__dirname, "../../examples/provision_from_csv.mjs");

test("the example script provisions users from a CSV file through SCIM", async ({ page, baseURL }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  await ui.signedIn();
  const token = await ui.issueToken();
  const [finance, sales] = [unique("Finance FY27"), unique("Sales Planning")];
  await ui.createWorkspace(finance);
  await ui.createWorkspace(sales);
  const [ada, alan] = [unique("ada") + "@example.com", unique("alan") + "@example.com"];
  const csv = `Name,External_id,GivenName,FamilyName,Workspace,Active\n${ada},E1001,Ada,Lovelace,${finance};${sales},true\n${alan},E1003,Alan,Turing,,false\n`;
  const file = join(mkdtempSync(join(tmpdir(), "cim-example-")), "new-users.csv");
  writeFileSync(file, csv);
  const env = { ...process.env, CIM_URL: baseURL!, CIM_TOKEN: token };

  const first = await run("node", [script, file], { env });
  expect(first.stdout).toContain(`created ${ada} (active; workspaces: ${finance}, ${sales})`);
  expect(first.stdout).toContain(`created ${alan} (inactive; workspaces: none)`);
  expect(first.stdout).toContain("2 of 2 users provisioned.");
  // Run again: the same users, updated in place.
  const again = await run("node", [script, file], { env });
  expect(again.stdout).toContain(`updated ${ada}`);

  await ui.goto(`/users?q=${encodeURIComponent(ada)}`);
  await page.getByRole("link", { name: ada }).click();
  await ui.ready();
  await expect(ui.workspaceBox(finance)).toBeChecked();
  await expect(ui.workspaceBox(sales)).toBeChecked();
  await ui.goto(`/users?q=${encodeURIComponent(alan)}`);
  await expect(page.getByRole("row", { name: new RegExp(alan) })).toContainText("Inactive");
});
