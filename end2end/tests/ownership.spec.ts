// Identity providers beside the console: what a provider manages is locked until changed
// anyway, and the brake's held deactivations wait in a banner for a security admin.
import { expect, test, type APIRequestContext } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { Console, hydrated, unique } from "./console";

test.beforeEach(async ({ page }, testInfo) => {
  await new Console(page, hydrated(testInfo)).signedIn();
});

function scimClient(request: APIRequestContext, secret: string) {
  const headers = { Authorization: `Bearer ${secret}`, "Content-Type": "application/scim+json" };
  return {
    async create(userName: string, given = "Grace", family = "Hopper", entitlements: object[] = []) {
      const r = await request.post("/scim/v2/Users", {
        headers,
        data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName, name: { givenName: given, familyName: family }, entitlements },
      });
      expect(r.status()).toBe(201);
      return (await r.json()).id as string;
    },
    async deactivate(id: string) {
      return request.patch(`/scim/v2/Users/${id}`, {
        headers,
        data: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "active", value: false }] },
      });
    },
    async active(id: string) {
      return (await (await request.get(`/scim/v2/Users/${id}`, { headers })).json()).active as boolean;
    },
  };
}

test("the brake holds deactivations past its threshold and a security admin allows them from the banner", async ({ page, request }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const { name, secret } = await ui.issueCredential(3);
  const scim = scimClient(request, secret);
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push(await scim.create(unique("braked") + "@example.com"));
  for (const id of ids.slice(0, 3)) expect((await scim.deactivate(id)).status()).toBe(200);
  const held = await scim.deactivate(ids[3]);
  expect(held.status()).toBe(429);
  expect(held.headers()["retry-after"]).toBe("300");
  expect(await scim.active(ids[3])).toBe(true);

  // The banner is on every page, naming the credential and what it holds.
  await ui.goto("/users");
  const banner = page.getByRole("region", { name: "Held by the mass-deactivation brake" });
  await expect(banner).toContainText(name);
  await expect(banner).toContainText("1 deactivation or deletion is held");
  await ui.goto("/workspaces");
  await expect(banner).toBeVisible();
  await banner.getByRole("button", { name: "Allow 1" }).click();
  await expect(banner).toHaveCount(0);
  expect(await scim.active(ids[3])).toBe(false);
  await page.reload();
  await ui.ready();
  await expect(banner).toHaveCount(0);
  // The decision is in the audit trail.
  await ui.goto("/audit?action=brake.allow");
  await expect(page.locator(".trail-rows").getByText(name).first()).toBeVisible();
  await expect(page.locator(".trail-rows")).toContainText("Held changes allowed");
});

test("a field the identity provider manages shows its lock, and changing it anyway is saved with a warning", async ({ page, request }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const { name, secret } = await ui.issueCredential();
  const userName = unique("managed") + "@example.com";
  const id = await scimClient(request, secret).create(userName, "Grace", "Hopper", [{ type: "ROLE", value: "approver", display: "Approver" }]);

  await ui.goto(`/users/${id}`);
  await expect(page.getByRole("note")).toContainText(`Provisioned by ${name}`);
  const given = page.getByLabel("Given name");
  await expect(given).toHaveAttribute("readonly", "");
  await expect(page.getByText(`managed by ${name}`).first()).toBeVisible();
  await expect(ui.activeSwitch()).toBeDisabled();
  const others = page.getByRole("region", { name: "Other entitlements (no workspace access)" });
  await expect(others.getByRole("row", { name: "ROLE approver Approver" })).toBeVisible();
  if (ui.js) {
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
  }
  // The server refuses it too (not only the page): a forged save is answered 409.
  const forged = await page.request.post("/api/users/update", {
    headers: { Accept: "application/json" },
    form: { id, version: "1", user_name: userName, external_id: "", given_name: "Forged", family_name: "Hopper", display_name: "", email: "" },
  });
  expect(forged.status()).toBe(409);

  await page.getByRole("link", { name: "Change anyway…" }).click();
  await ui.ready();
  await expect(page.getByRole("status").filter({ hasText: `Changing what ${name} manages.` })).toContainText("may overwrite them");
  await expect(given).not.toHaveAttribute("readonly");
  if (ui.js) {
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
  }
  await given.fill("Gracie");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Profile saved." })).toBeVisible();
  await ui.goto(`/users/${id}`);
  await expect(page.getByLabel("Given name")).toHaveValue("Gracie");
  await expect(page.getByLabel("Given name")).toHaveAttribute("readonly", "");
});
