import { expect, test } from "@playwright/test";
import { Console, hydrated, unique } from "./console";

test.beforeEach(async ({ page }, testInfo) => {
  await new Console(page, hydrated(testInfo)).signedIn();
});

test("a workspace can be created, counts its members, renamed and deleted", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const name = unique("Ops");
  await ui.createWorkspace(name);
  await page.getByLabel("Name", { exact: true }).fill(name.toUpperCase());
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByRole("alert")).toHaveText(`A workspace named ${name.toUpperCase()} already exists.`);

  const userName = unique("member") + "@example.com";
  await ui.createUser(userName);
  await ui.setWorkspace(name);

  await ui.goto(`/workspaces?q=${encodeURIComponent(name)}`);
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("1");
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await ui.ready();
  await expect(page.getByRole("link", { name: userName, exact: true })).toBeVisible();

  const renamed = name + "-renamed";
  await page.getByLabel("Name", { exact: true }).fill(renamed);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("heading", { name: renamed })).toBeVisible();
  await page.reload();
  await ui.ready();
  await expect(page.getByRole("heading", { name: renamed })).toBeVisible();

  await page.getByRole("link", { name: "Delete this workspace…" }).click();
  await page.getByRole("button", { name: "Yes, delete this workspace" }).click();
  await expect(page.getByRole("heading", { name: "Workspaces" })).toBeVisible();
  await ui.goto(`/workspaces?q=${encodeURIComponent(renamed)}`);
  await expect(page.getByText("No workspaces yet.")).toBeVisible();
});
