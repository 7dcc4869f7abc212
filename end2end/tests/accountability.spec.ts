// Accounting for every access: the audit trail, the reports, the provisioning log, and a console
// that shows an auditor everything and lets them change nothing.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { Console, hydrated, unique } from "./console";

test("filtering the audit trail to one user shows the change just made, before and after", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  await ui.signedIn();
  const workspace = unique("Audited");
  const userName = unique("audited") + "@example.com";
  await ui.createWorkspace(workspace);
  await ui.createUser(userName);
  await ui.setWorkspace(workspace);
  await ui.setActive();

  // The user page's own History already has it.
  await expect(page.getByRole("region", { name: "History" })).toContainText("Access granted");

  await ui.goto("/audit");
  await page.getByLabel("Target").fill(userName);
  await page.getByRole("button", { name: "Apply" }).click();
  await ui.ready();
  await expect(page.getByText(`Events concerning user ${userName}`)).toBeVisible();
  const rows = page.locator("details.trail-row");
  await expect(rows).toHaveCount(3);
  const grant = rows.filter({ hasText: "Access granted" });
  await grant.locator("summary").click();
  await expect(grant).toContainText(`Granted: ${workspace}`);
  const deactivation = rows.filter({ hasText: "User deactivated" });
  await expect(deactivation).toContainText("Console");
  await deactivation.locator("summary").click();
  const change = deactivation.getByRole("row", { name: /Status/ });
  await expect(change.getByRole("cell").nth(0)).toHaveText("Active");
  await expect(change.getByRole("cell").nth(1)).toHaveText("Inactive");

  // Narrowed further by action, and the target shown as a chip that can be removed.
  await page.getByLabel("Action").selectOption({ label: "User deactivated" });
  await page.getByRole("button", { name: "Apply" }).click();
  await ui.ready();
  await expect(rows).toHaveCount(1);
});

test("the disabled-users report downloads with the user and the workspaces they still hold", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  await ui.signedIn();
  const workspace = unique("Kept");
  const userName = unique("leaver") + "@example.com";
  await ui.createWorkspace(workspace);
  await ui.createUser(userName, "Lea", "Ver");
  await ui.setWorkspace(workspace);
  await ui.setActive();

  await ui.goto("/reports");
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download disabled users" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^cim-disabled-users-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = readFileSync((await download.path())!, "utf8");
  const lines = text.split("\r\n");
  expect(lines[0]).toBe("userName,externalId,givenName,familyName,email,disabledAt,disabledBy,disabledThrough,workspaces");
  const line = lines.find((l) => l.startsWith(userName + ","));
  expect(line, text).toBeDefined();
  expect(line).toContain(",Lea,Ver,");
  expect(line).toContain(`,Console,${workspace}`);
});

test("a failing SCIM request appears in the provisioning log with its reason", async ({ page, request }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  await ui.signedIn();
  const token = await ui.issueToken();
  const bad = await request.post("/scim/v2/Users", {
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], name: { givenName: "No user name" } },
  });
  expect(bad.status()).toBe(400);
  const requestId = bad.headers()["x-request-id"];
  expect(requestId).toBeTruthy();

  // The log is written a moment after the request (in batches), so look until it is there.
  await expect(async () => {
    await ui.goto("/provisioning");
    await page.getByLabel("Status").selectOption({ label: "4xx refused" });
    await page.getByRole("button", { name: "Apply" }).click();
    await ui.ready();
    await expect(page.getByRole("row").filter({ hasText: "userName is required" }).first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  const row = page.getByRole("row").filter({ hasText: "userName is required" }).first();
  await expect(row).toContainText("POST /scim/v2/Users");
  await expect(row).toContainText("400");
  await expect(row).toContainText("invalidValue");

  // The credentials page counts it.
  await ui.goto("/credentials");
  await expect(page.getByRole("link", { name: /^\d+ errors?$/ }).first()).toBeVisible();
});

test("an auditor made on the Administrators page sees every page read-only", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  await ui.signedIn();
  const workspace = unique("Watched");
  const userName = unique("watched") + "@example.com";
  await ui.createWorkspace(workspace);
  await ui.createUser(userName);
  await ui.setWorkspace(workspace);
  const userUrl = new URL(page.url()).pathname;

  const auditor = unique("auditor");
  await ui.goto("/admins");
  await page.getByLabel("User name").fill(auditor);
  await page.getByLabel("Role").first().selectOption({ label: "Auditor" });
  await page.getByRole("button", { name: "Add administrator" }).click();
  const oneTime = (await page.getByTestId("one-time-password").textContent())!.trim();
  expect(oneTime.length).toBeGreaterThanOrEqual(20);
  await ui.signOut();

  // The one-time password works once, and only to choose a new one.
  await ui.signIn(auditor, oneTime);
  await expect(page.getByRole("heading", { name: "Choose your password" })).toBeVisible();
  await ui.ready();
  const chosen = unique("auditor-password");
  await page.getByLabel("Current password").fill(oneTime);
  await page.getByLabel("New password", { exact: true }).fill(chosen);
  await page.getByLabel("New password again").fill(chosen);
  await page.getByRole("button", { name: "Save password" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await ui.ready();

  await expect(page.getByText("Read-only")).toBeVisible();
  await ui.goto(userUrl);
  await expect(page.getByRole("heading", { name: userName })).toBeVisible();
  await expect(page.getByRole("link", { name: workspace })).toBeVisible();
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await expect(page.getByRole("switch")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Save|Delete/ })).toHaveCount(0);
  await ui.goto("/users");
  await expect(page.getByRole("link", { name: "New user" })).toHaveCount(0);
  await ui.goto("/workspaces");
  await expect(page.getByRole("button", { name: "Create workspace" })).toHaveCount(0);
  await ui.goto("/credentials");
  await expect(page.getByRole("button", { name: "Issue credential" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Revoke…" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Administrators" })).toHaveCount(0);
  // Reading is all theirs: the audit trail answers.
  await ui.goto("/audit");
  await expect(page.locator("details.trail-row").first()).toBeVisible();
});
