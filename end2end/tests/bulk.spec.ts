import { expect, type Page, test } from "@playwright/test";
import { Console, hydrated, unique } from "./console";

test.beforeEach(async ({ page }, testInfo) => {
  await new Console(page, hydrated(testInfo)).signedIn();
});

/// Uploads a CSV file on the import page; ends on its dry run.
async function upload(ui: Console, name: string, csv: string) {
  await ui.goto("/imports");
  await ui.page.getByLabel("CSV file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(csv) });
  await ui.page.getByRole("button", { name: "Upload and review" }).click();
  await expect(ui.page.getByRole("heading", { name: `Dry run: ${name}` })).toBeVisible();
  await ui.ready();
}

/// Waits on a batch's page until it says it finished (hydrated it polls; without JavaScript
/// the page reloads itself).
async function finished(page: Page) {
  await expect(page.getByRole("heading", { name: /^Progress/ })).toContainText("Finished", { timeout: 30_000 });
}

/// Loads `count` users named `<prefix>-<n>@example.com` through the import; returns their names.
async function loadUsers(ui: Console, prefix: string, count: number, extra = "") {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}@example.com`);
  const csv = "userName,givenName,familyName" + extra + "\n" + names.map((n) => `${n},Bulk,Tester${extra ? "," : ""}`).join("\n") + "\n";
  await upload(ui, `${prefix}.csv`, csv);
  await ui.page.getByRole("button", { name: `Apply: create ${count}, update 0, deactivate 0` }).click();
  await finished(ui.page);
  return names;
}

test("users selected across pages are deactivated in one batch that reports its progress", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const prefix = unique("bulk");
  await loadUsers(ui, prefix, 55);

  await ui.goto(`/users?q=${encodeURIComponent(prefix)}`);
  await expect(page.getByRole("status").filter({ hasText: "of 55 users" })).toBeVisible();
  await page.getByLabel("Select all 55 users matching this search").check();
  await page.getByLabel("Action").selectOption("deactivate");
  await page.getByRole("button", { name: "Review…" }).click();
  await expect(page.getByRole("heading", { name: "Deactivate 55 users" })).toBeVisible();
  await ui.ready();
  await page.getByRole("button", { name: "Deactivate 55 users" }).click();
  await finished(page);
  await expect(page.getByRole("status").filter({ hasText: "55 of 55 users done" })).toBeVisible();
  await expect(page.locator("dl.facts")).toContainText("Changed55");

  // After a reload of the list: every one of them inactive, on both pages.
  await ui.goto(`/users?q=${encodeURIComponent(prefix)}&status=inactive`);
  await expect(page.getByRole("status").filter({ hasText: "1–50 of 55 users" })).toBeVisible();
  await ui.goto(`/users?q=${encodeURIComponent(prefix)}&status=active`);
  await expect(page.getByText("No users match.")).toBeVisible();

  // The trail shows the batch as one line that opens to its users.
  await ui.goto("/audit");
  const line = page.locator("details").filter({ hasText: "Deactivate 55 users" }).first();
  await expect(line).toContainText("Batch started");
  await ui.goto(`/audit?tq=${encodeURIComponent(prefix + "-054@example.com")}`);
  await expect(page.locator("details").filter({ hasText: "User deactivated" }).first()).toBeVisible();
});

test("a search result's users are granted a workspace, and a member is removed from the workspace page", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const prefix = unique("grant");
  const workspace = unique("FY27");
  await ui.createWorkspace(workspace);
  const names = await loadUsers(ui, prefix, 3);

  await ui.goto(`/users?q=${encodeURIComponent(prefix)}`);
  await page.getByLabel("Select this page (3 users)").check();
  // Scripted, the page's box ticks each row (so one could be unticked before review).
  if (ui.js) for (const name of names) await expect(page.getByLabel(`Select ${name}`)).toBeChecked();
  await page.getByLabel("Action").selectOption("grant");
  await page.getByLabel("Workspaces (grant or revoke)").selectOption({ label: workspace });
  await page.getByRole("button", { name: "Review…" }).click();
  await expect(page.getByRole("heading", { name: `Grant ${workspace} to 3 users` })).toBeVisible();
  await ui.ready();
  await page.getByRole("button", { name: `Grant ${workspace} to 3 users` }).click();
  await finished(page);

  await ui.goto(`/workspaces?q=${encodeURIComponent(workspace)}`);
  await page.getByRole("link", { name: workspace }).click();
  await expect(page.getByRole("heading", { name: workspace })).toBeVisible();
  await ui.ready();
  await expect(page.getByRole("status").filter({ hasText: "1–3 of 3 members" })).toBeVisible();
  await page.getByRole("link", { name: `Remove ${names[1]}` }).click();
  await expect(page.getByRole("heading", { name: `Revoke ${workspace} from 1 user` })).toBeVisible();
  await ui.ready();
  await page.getByRole("button", { name: `Revoke ${workspace} from 1 user` }).click();
  await finished(page);
  await page.getByRole("link", { name: "‹ Back to the workspace" }).click();
  await expect(page.getByRole("heading", { name: workspace })).toBeVisible();
  await ui.ready();
  await expect(page.getByRole("status").filter({ hasText: "1–2 of 2 members" })).toBeVisible();
  await expect(page.getByRole("link", { name: names[1] })).toHaveCount(0);

  // Found by search on the workspace page and added back.
  await page.getByLabel("Find users to add").fill(names[1]);
  await page.getByRole("button", { name: "Search users" }).click();
  await page.getByLabel(`Select ${names[1]}`).last().check();
  await page.getByRole("button", { name: `Add selected to ${workspace}…` }).click();
  await expect(page.getByRole("heading", { name: `Grant ${workspace} to 1 user` })).toBeVisible();
  await ui.ready();
  await page.getByRole("button", { name: `Grant ${workspace} to 1 user` }).click();
  await finished(page);
  await ui.goto(`/users?q=${encodeURIComponent(names[1])}`);
  await page.getByRole("link", { name: names[1] }).click();
  await ui.ready();
  await expect(ui.workspaceBox(workspace)).toBeChecked();
});

test("an import with a bad line is refused in its dry run, applied once fixed, and changes nothing the second time", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const prefix = unique("imp");
  const workspace = unique("Sales");
  await ui.createWorkspace(workspace);
  const [ada, bob] = [`${prefix}-ada@example.com`, `${prefix}-bob@example.com`];
  const bad = `userName,givenName,familyName,email,active,workspaces,department\n${ada},Ada,Lovelace,${ada},true,${workspace},R&D\n${bob},Bob,Byte,not-an-address,true,${workspace},Ops\n`;
  await upload(ui, `${prefix}.csv`, bad);
  await expect(page.getByRole("status").filter({ hasText: "1 error" })).toBeVisible();
  await expect(page.getByText("Columns CIM does not read, ignored: department.")).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(bob) })).toContainText("Line 3: Email must look like name@example.com.");
  await expect(page.getByRole("button", { name: /^Apply/ })).toHaveCount(0);

  const fixed = bad.replace("not-an-address", bob);
  await upload(ui, `${prefix}.csv`, fixed);
  await expect(page.getByRole("status").filter({ hasText: "2 to create" })).toBeVisible();
  await page.getByRole("button", { name: "Apply: create 2, update 0, deactivate 0" }).click();
  await finished(page);
  await expect(page.locator("dl.facts")).toContainText("Changed2");

  await ui.goto(`/users?q=${encodeURIComponent(bob)}`);
  await page.getByRole("link", { name: bob }).click();
  await ui.ready();
  await expect(page.getByLabel("Email")).toHaveValue(bob);
  await expect(ui.workspaceBox(workspace)).toBeChecked();

  await upload(ui, `${prefix}.csv`, fixed);
  await expect(page.getByRole("status").filter({ hasText: "2 unchanged" })).toBeVisible();
  await expect(page.getByText("Nothing to do: the store already matches this file.")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Apply/ })).toHaveCount(0);
});
