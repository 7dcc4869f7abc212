import { expect, test } from "@playwright/test";
import { Console, hydrated, unique } from "./console";

test.beforeEach(async ({ page }, testInfo) => {
  await new Console(page, hydrated(testInfo)).signedIn();
});

test("searching finds a user by part of its name and the status filter narrows it", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const family = unique("Searchable");
  const userName = `${family.toLowerCase()}@example.com`;
  await ui.createUser(userName, "Grace", family);

  await ui.goto("/users");
  await page.getByRole("searchbox", { name: "Search" }).fill(family.slice(0, family.length - 2));
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("link", { name: userName })).toBeVisible();
  await expect(page.getByRole("row")).toHaveCount(2);

  await page.getByLabel("Status", { exact: true }).selectOption("inactive");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("status")).toHaveText("No users match.");
});

test("ticking a workspace saves it at once and it stays ticked after a reload", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const workspace = unique("Finance");
  await ui.createWorkspace(workspace);
  await ui.createUser(unique("tick") + "@example.com");

  await ui.setWorkspace(workspace);
  await page.reload();
  await ui.ready();
  await expect(ui.workspaceBox(workspace)).toBeChecked();

  await ui.setWorkspace(workspace);
  await page.reload();
  await ui.ready();
  await expect(ui.workspaceBox(workspace)).not.toBeChecked();
});

test("a deactivated user keeps its grants, shown as suspended, until reactivated", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const workspace = unique("Sales");
  await ui.createWorkspace(workspace);
  await ui.createUser(unique("active") + "@example.com");
  await ui.setWorkspace(workspace);

  await ui.setActive();
  await page.reload();
  await ui.ready();
  await expect(ui.activeSwitch()).not.toBeChecked();
  await expect(page.getByText("Inactive: the workspace grants below are kept but suspended")).toBeVisible();
  await expect(ui.workspaceBox(workspace)).toBeChecked();
  await expect(page.getByText("suspended", { exact: true })).toBeVisible();

  await ui.setActive();
  await page.reload();
  await ui.ready();
  await expect(ui.activeSwitch()).toBeChecked();
  await expect(page.getByText("suspended", { exact: true })).toHaveCount(0);
  await expect(ui.workspaceBox(workspace)).toBeChecked();
});

test("a tick refused because the user changed elsewhere is not shown as applied", async ({ page, context }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const workspace = unique("Legal");
  await ui.createWorkspace(workspace);
  const userName = unique("stale") + "@example.com";
  await ui.createUser(userName);
  const userUrl = page.url();
  const granted = page.getByText(/of \d+ workspaces granted/);
  const before = await granted.textContent();

  // A second tab changes the profile after the first one loaded the page.
  const other = new Console(await context.newPage(), ui.js);
  await other.goto(userUrl);
  await other.page.getByLabel("Display name").fill("Changed Elsewhere");
  await other.page.getByRole("button", { name: "Save profile" }).click();
  await expect(other.page.getByLabel("Display name")).toHaveValue("Changed Elsewhere");
  await other.page.close();

  if (ui.js) {
    const answered = page.waitForResponse((r) => r.url().includes("/api/users/save_access"));
    await ui.workspaceBox(workspace).click();
    expect((await answered).status()).toBe(409);
  } else {
    await ui.workspaceBox(workspace).click();
    await page.getByRole("button", { name: "Save workspace access" }).click();
  }
  await expect(page.getByRole("alert")).toContainText("changed elsewhere after you opened the page");
  // What the page shows is what is stored: the box unticked, the count as before.
  await expect(ui.workspaceBox(workspace)).not.toBeChecked();
  await expect(granted).toHaveText(before!);
  await expect(page.getByLabel("Display name")).toHaveValue("Changed Elsewhere");
  await page.goto(userUrl);
  await ui.ready();
  await expect(ui.workspaceBox(workspace)).not.toBeChecked();
});

test("a taken user name is reported next to the field and nothing is created", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const userName = unique("dup") + "@example.com";
  await ui.createUser(userName);
  await ui.goto("/users/new");
  await page.getByLabel("User name").fill(userName.toUpperCase());
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("alert")).toHaveText(`The user name ${userName.toUpperCase()} is already taken.`);
  await ui.goto(`/users?q=${encodeURIComponent(userName)}`);
  await expect(page.getByRole("row")).toHaveCount(2);
});

test("editing the profile is saved and deleting asks first", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const userName = unique("edit") + "@example.com";
  await ui.createUser(userName);
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByRole("alert")).toHaveText("Email must look like name@example.com.");

  await page.getByLabel("Email").fill(userName);
  await page.getByLabel("Given name").fill("Edited");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByRole("alert")).toHaveCount(0);
  await page.reload();
  await ui.ready();
  await expect(page.getByLabel("Given name")).toHaveValue("Edited");

  // Asking, and cancelling, keep what was typed and not saved (scripted: in place).
  await page.getByLabel("Given name").fill("Typed");
  await page.getByRole("link", { name: "Delete this user…" }).click();
  await expect(page.getByRole("button", { name: "Yes, delete this user" })).toBeVisible();
  if (ui.js) await expect(page.getByText(/^Delete .* and all of its workspace grants\?/)).toBeFocused();
  await page.getByRole("link", { name: "Cancel" }).click();
  await expect(page.getByRole("button", { name: "Yes, delete this user" })).toHaveCount(0);
  await expect(page.getByLabel("Given name")).toHaveValue(ui.js ? "Typed" : "Edited");

  await page.getByRole("link", { name: "Delete this user…" }).click();
  if (ui.js) {
    // A save while the question is open leaves it open.
    await page.getByLabel("Given name").fill("Edited again");
    await page.getByRole("button", { name: "Save profile" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Profile saved." })).toBeVisible();
    await expect(page.getByRole("button", { name: "Yes, delete this user" })).toBeVisible();
  }
  await page.getByRole("button", { name: "Yes, delete this user" }).click();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await ui.goto(`/users?q=${encodeURIComponent(userName)}`);
  await expect(page.getByRole("status")).toHaveText("No users match.");
});
