import { expect, test } from "@playwright/test";
import { Console, hydrated, unique } from "./console";

test.beforeEach(async ({ page }, testInfo) => {
  await new Console(page, hydrated(testInfo)).signedIn();
});

test("a credential issued in the console provisions a user whose workspaces show ticked", async ({ page, request }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const [first, second, untouched] = [unique("Planning"), unique("Forecast"), unique("Sandbox")];
  for (const name of [first, second, untouched]) await ui.createWorkspace(name);

  const secret = await ui.issueToken();
  await page.reload();
  await ui.ready();
  await expect(page.getByTestId("issued-secret")).toHaveCount(0);

  const scim = { Authorization: `Bearer ${secret}`, "Content-Type": "application/scim+json" };
  const ids: string[] = [];
  for (const name of [first, second]) {
    const found = await request.get(`/scim/v2/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}&excludedAttributes=members`, { headers: scim });
    expect(found.status()).toBe(200);
    ids.push((await found.json()).Resources[0].id);
  }
  const userName = unique("scim") + "@example.com";
  const created = await request.post("/scim/v2/Users", {
    headers: scim,
    data: {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName,
      name: { givenName: "Scim", familyName: "Provisioned" },
      entitlements: ids.map((value) => ({ type: "WORKSPACE", value })),
    },
  });
  expect(created.status()).toBe(201);

  await ui.goto(`/users?q=${encodeURIComponent(userName)}`);
  await page.getByRole("link", { name: userName }).click();
  await expect(page.getByRole("heading", { name: userName })).toBeVisible();
  await ui.ready();
  await expect(ui.workspaceBox(first)).toBeChecked();
  await expect(ui.workspaceBox(second)).toBeChecked();
  await expect(ui.workspaceBox(untouched)).not.toBeChecked();
});
