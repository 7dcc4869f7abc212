import { expect, test } from "@playwright/test";
import { Console, hydrated, unique } from "./console";

test.beforeEach(async ({ page }, testInfo) => {
  await new Console(page, hydrated(testInfo)).signedIn();
});

test("names planted through either door show as text on every page and never run", async ({ page, request }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  const ran: string[] = [];
  page.on("dialog", async (dialog) => {
    ran.push(dialog.message());
    await dialog.dismiss();
  });
  const tag = unique("x");
  // Console door: a workspace whose name is markup.
  const workspace = `<img src=x onerror=alert('${tag}') data-injected>${tag}`;
  await ui.createWorkspace(workspace);
  // SCIM door: a user whose name closes the title and opens a script.
  const secret = await ui.issueToken();
  const userName = `</title><script>alert('${tag}')</script><img/src=x/onerror=alert(1)/data-injected>${tag}`;
  const created = await request.post("/scim/v2/Users", {
    headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/scim+json" },
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName, displayName: workspace },
  });
  expect(created.status()).toBe(201);
  const userId = (await created.json()).id;
  const found = await request.get(`/scim/v2/Groups?filter=${encodeURIComponent(`displayName eq "${workspace}"`)}`, {
    headers: { Authorization: `Bearer ${secret}` },
  });
  const workspaceId = (await found.json()).Resources[0].id;

  const pages = [
    `/users?q=${encodeURIComponent(tag)}`,
    `/users/${userId}`,
    `/workspaces?q=${encodeURIComponent("<img")}`,
    `/workspaces/${workspaceId}`,
    "/credentials",
    "/",
    "/audit",
    `/audit?tq=${encodeURIComponent(userName)}`,
    "/provisioning",
  ];
  for (const path of pages) {
    await ui.goto(path);
    await expect(page.locator("[data-injected]"), path).toHaveCount(0);
  }
  await ui.goto(`/users/${userId}`);
  await expect(page).toHaveTitle(`${userName} · CIM`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(userName);
  await ui.goto(`/workspaces/${workspaceId}`);
  await expect(page).toHaveTitle(`${workspace} · CIM`);
  expect(ran).toEqual([]);
});
