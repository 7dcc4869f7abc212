// Page objects and helpers shared by the console tests.
import { expect, type Page, type TestInfo } from "@playwright/test";

export const ADMIN = process.env.CIM_E2E_ADMIN ?? "e2e-admin";
export const PASSWORD = process.env.CIM_E2E_PASSWORD ?? "";

export function hydrated(testInfo: TestInfo): boolean {
  return testInfo.project.name === "hydrated";
}

/// A name no other test (or earlier run) uses.
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export class Console {
  constructor(readonly page: Page, readonly js: boolean) {}

  /// Waits until the page can be used: hydrated when JavaScript is on.
  async ready() {
    if (this.js) {
      await expect(this.page.locator("#app")).toHaveAttribute("data-hydrated", "true");
    }
  }

  async goto(path: string) {
    await this.page.goto(path);
    await this.ready();
  }

  async signIn(username = ADMIN, password = PASSWORD) {
    await this.goto("/login");
    await this.page.getByLabel("User name").fill(username);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  async signedIn() {
    await this.signIn();
    await expect(this.page.getByRole("heading", { name: "Users" })).toBeVisible();
    await this.ready();
  }

  /// Creates a workspace through the console and returns its name.
  async createWorkspace(name: string) {
    await this.goto("/workspaces");
    await this.page.getByLabel("Name", { exact: true }).fill(name);
    await this.page.getByRole("button", { name: "Create workspace" }).click();
    await expect(this.page.getByRole("link", { name, exact: true })).toBeVisible();
  }

  /// Creates a user through the console; ends on the new user's page.
  async createUser(userName: string, given = "Test", family = "User") {
    await this.goto("/users/new");
    await this.page.getByLabel("User name").fill(userName);
    await this.page.getByLabel("Given name").fill(given);
    await this.page.getByLabel("Family name").fill(family);
    await this.page.getByRole("button", { name: "Create user" }).click();
    await expect(this.page.getByRole("heading", { name: userName })).toBeVisible();
    await this.ready();
  }

  /// Issues a SCIM bearer token in the console and returns its secret.
  async issueToken() {
    await this.goto("/credentials");
    await this.page.getByLabel("Name", { exact: true }).fill(unique("e2e-token"));
    await this.page.getByRole("button", { name: "Issue credential" }).click();
    const secret = (await this.page.getByTestId("issued-secret").textContent())!.trim();
    expect(secret).toMatch(/^cim_/);
    return secret;
  }

  workspaceBox(name: string) {
    return this.page.getByRole("checkbox", { name, exact: true });
  }

  activeSwitch() {
    return this.page.getByRole("switch", { name: "Active" });
  }

  /// Ticks or unticks a checkbox that saves on change; without JavaScript its Save button sends it.
  async toggle(box: ReturnType<Page["getByRole"]>, saveButton: string) {
    const before = await box.isChecked();
    if (this.js) {
      const saved = this.page.waitForResponse((r) => r.url().includes("/api/users/set_"));
      await box.click();
      await saved;
    } else {
      await box.click();
      await this.page.getByRole("button", { name: saveButton, exact: true }).click();
      await this.page.waitForLoadState("load");
    }
    return !before;
  }

  async setWorkspace(name: string) {
    return this.toggle(this.workspaceBox(name), `Save ${name}`);
  }

  async setActive() {
    return this.toggle(this.activeSwitch(), "Save status");
  }
}
