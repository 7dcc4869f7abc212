// The console tells the truth: what it shows after a save is what is stored, every save says
// so, lists say where they are, and every page works on a phone and with assistive technology.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { Console, hydrated, unique } from "./console";

test.beforeEach(async ({ page }, testInfo) => {
  await new Console(page, hydrated(testInfo)).signedIn();
});

/// Users made through SCIM Bulk (fast), with the given family name; returns their ids.
async function bulkUsers(request: APIRequestContext, token: string, family: string, count: number, extra = {}) {
  const Operations = Array.from({ length: count }, (_, i) => ({
    method: "POST", path: "/Users", bulkId: `u${i}`,
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: `${family.toLowerCase()}-${String(i).padStart(3, "0")}@example.com`,
            name: { givenName: `Given${String(i).padStart(3, "0")}`, familyName: family }, ...extra },
  }));
  const response = await request.post("/scim/v2/Bulk", {
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
    data: { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations },
  });
  expect(response.status()).toBe(200);
  const body = await response.json();
  return body.Operations.map((op: { location: string }) => op.location.split("/").pop() as string);
}

test("a save says so and keeps focus where it was; two ticks are both stored", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const [a, b] = [unique("Alpha"), unique("Beta")];
  await ui.createWorkspace(a);
  await ui.createWorkspace(b);
  await ui.createUser(unique("ticks") + "@example.com");
  await ui.setWorkspaces(a, b);
  await expect(page.getByRole("status").filter({ hasText: "Workspace access saved." })).toBeVisible();
  if (ui.js) await expect(ui.workspaceBox(b)).toBeFocused();
  await page.reload();
  await ui.ready();
  await expect(ui.workspaceBox(a)).toBeChecked();
  await expect(ui.workspaceBox(b)).toBeChecked();
  await expect(page.getByText(/^2 of \d+ workspaces granted/)).toBeVisible();
});

test("deactivating asks first, says grants are kept, and can be cancelled", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  await ui.createUser(unique("careful") + "@example.com");
  await ui.activeSwitch().click();
  if (!ui.js) await page.getByRole("button", { name: "Save status" }).click();
  const confirm = page.getByRole("group", { name: /^Deactivate / });
  await expect(confirm).toContainText("keeps no workspace grants, but cannot enter any workspace until activated again");
  await confirm.getByRole("link", { name: "Cancel" }).click();
  await ui.ready();
  await expect(ui.activeSwitch()).toBeChecked();
  await page.reload();
  await ui.ready();
  await expect(ui.activeSwitch()).toBeChecked();
  await ui.setActive();
  await page.reload();
  await expect(ui.activeSwitch()).not.toBeChecked();
  await expect(page.locator(".page-head").getByText("Inactive", { exact: true })).toBeVisible();
});

test("the users list counts what matches, pages both ways, and a user leads back to it", async ({ page, request }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const family = unique("Counted");
  await bulkUsers(request, await ui.issueToken(), family, 60);
  await ui.goto(`/users?q=${encodeURIComponent(family)}`);
  const count = page.getByRole("status");
  await expect(count).toHaveText("1–50 of 60 users");
  await expect(page.getByRole("row")).toHaveCount(51);
  await page.getByRole("navigation", { name: "Pages", exact: true }).getByRole("link", { name: "Next ›" }).click();
  await expect(count).toHaveText("51–60 of 60 users");
  await expect(page.getByRole("row")).toHaveCount(11);
  await page.getByRole("link", { name: `${family.toLowerCase()}-055@example.com` }).click();
  await ui.ready();
  await page.getByRole("link", { name: "‹ Back to users" }).click();
  await expect(count).toHaveText("51–60 of 60 users");
  await page.getByRole("navigation", { name: "Pages (bottom)" }).getByRole("link", { name: "‹ Previous" }).click();
  await expect(count).toHaveText("1–50 of 60 users");
});

test("sorting and the workspace filter answer who can enter a workspace", async ({ page, request }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const workspace = unique("Finance FY27");
  await ui.createWorkspace(workspace);
  const token = await ui.issueToken();
  const found = await request.get(`/scim/v2/Groups?filter=${encodeURIComponent(`displayName eq "${workspace}"`)}`, { headers: { Authorization: `Bearer ${token}` } });
  const groupId = (await found.json()).Resources[0].id;
  const family = unique("Sorted");
  await bulkUsers(request, token, family, 2, { entitlements: [{ type: "WORKSPACE", value: groupId }] });
  await bulkUsers(request, token, family + "x", 1);

  await ui.goto("/users");
  await page.getByLabel("Workspace", { exact: true }).selectOption({ label: workspace });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("1–2 of 2 users")).toBeVisible();
  const names = page.locator('tbody tr td[data-label="User name"]');
  await expect(names).toHaveText([`${family.toLowerCase()}-000@example.com`, `${family.toLowerCase()}-001@example.com`]);
  await page.getByRole("columnheader", { name: "User name" }).getByRole("link").click();
  await expect(names).toHaveText([`${family.toLowerCase()}-001@example.com`, `${family.toLowerCase()}-000@example.com`]);
  await expect(page.getByRole("columnheader", { name: "User name ▼" })).toHaveAttribute("aria-sort", "descending");
  await expect(page.locator("tbody").getByText("Active").first()).toBeVisible();
});

test("unknown users and workspaces are 404 pages that say what to do", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const user = await page.goto("/users/no-such-user");
  expect(user!.status()).toBe(404);
  await ui.ready();
  await expect(page.getByRole("heading", { name: "User not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Find the user in the users list" })).toBeVisible();
  const workspace = await page.goto("/workspaces/no-such-workspace");
  expect(workspace!.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Workspace not found" })).toBeVisible();
});

test("every page fits a 390 px phone and has no accessibility violations", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const workspace = unique("Phone");
  await ui.createWorkspace(workspace);
  await ui.createUser(unique("phone") + "@example.com");
  // A member, so the workspace page shows its member table and the removal button.
  await ui.setWorkspace(workspace);
  const userUrl = new URL(page.url()).pathname;
  await ui.goto(`/workspaces?q=${encodeURIComponent(workspace)}`);
  await page.getByRole("link", { name: workspace }).click();
  await ui.ready();
  const workspaceUrl = new URL(page.url()).pathname;
  const { name: credential } = await ui.issueCredential();
  await ui.goto("/credentials");
  await page.getByRole("link", { name: credential }).click();
  await expect(page.getByRole("heading", { name: credential })).toBeVisible();
  const credentialUrl = new URL(page.url()).pathname;
  await page.setViewportSize({ width: 390, height: 844 });
  const workspaceId = workspaceUrl.split("/").pop()!;
  const confirmRemoval = `/users/bulk?all=1&ws=${workspaceId}&action=revoke&workspaces=${workspaceId}`;
  const accounting = ["/", "/audit", "/provisioning", "/reports", "/admins", "/account/password", credentialUrl, "/imports", confirmRemoval];
  for (const path of ["/users", userUrl, "/users/new", "/workspaces", workspaceUrl, "/credentials", ...accounting]) {
    await ui.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
    await expect(page.getByRole("button", { name: "Sign out" })).toBeInViewport();
    // axe runs as a script in the page, so it checks the hydrated pages (the markup is the same).
    if (ui.js) {
      const axe = await new AxeBuilder({ page }).analyze();
      expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`), path).toEqual([]);
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  for (const path of ["/users", userUrl, "/workspaces", workspaceUrl, "/credentials", ...accounting, "/login"]) {
    await ui.goto(path);
    if (ui.js) {
      const axe = await new AxeBuilder({ page }).analyze();
      expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`), path).toEqual([]);
    }
  }
});
