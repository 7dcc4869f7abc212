import { expect, test } from "@playwright/test";
import { Console, hydrated, PASSWORD } from "./console";

test("a wrong password is refused with one generic message", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  await ui.signIn(undefined, PASSWORD + "-wrong");
  await expect(page.getByRole("alert")).toHaveText(/do not match an administrator/);
  await expect(page).toHaveURL(/\/login/);
  await ui.signIn("no-such-admin", "whatever-password");
  await expect(page.getByRole("alert")).toHaveText(/do not match an administrator/);
});

test("signing in lands on the overview and signing out ends the session", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  await ui.signedIn();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText("active users", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/users");
  await expect(page).toHaveURL(/\/login\?next=%2Fusers/);
});

test("a signed-out visitor is sent to sign in and brought back afterwards", async ({ page }, testInfo) => {
  const ui = new Console(page, hydrated(testInfo));
  await page.goto("/workspaces?q=abc");
  await expect(page).toHaveURL(/\/login\?next=%2Fworkspaces%3Fq%3Dabc/);
  await expect(page.getByRole("heading", { name: "Sign in to CIM" })).toBeVisible();
  await ui.ready();
  await page.getByLabel("User name").fill(process.env.CIM_E2E_ADMIN ?? "e2e-admin");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Workspaces" })).toBeVisible();
  await expect(page).toHaveURL(/\/workspaces\?q=abc/);
});

test("server functions refuse a caller without a session", async ({ request }) => {
  const response = await request.post("/api/users/list", {
    form: { q: "", status: "all" },
    headers: { Accept: "application/json" },
  });
  expect(response.status()).toBeGreaterThanOrEqual(400);
  expect(await response.text()).toContain("Unauthenticated");
});
