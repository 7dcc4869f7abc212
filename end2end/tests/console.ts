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

  async signOut() {
    await this.page.getByRole("button", { name: "Sign out" }).click();
    await expect(this.page).toHaveURL(/\/login/);
  }

  async signIn(username = ADMIN, password = PASSWORD) {
    await this.goto("/login");
    await this.page.getByLabel("User name").fill(username);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  async signedIn() {
    await this.signIn();
    await expect(this.page.getByRole("heading", { name: "Overview" })).toBeVisible();
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
    return (await this.issueCredential()).secret;
  }

  /// Issues a SCIM bearer token with the default policy, or a brake at `brakeCount` users (and
  /// 1% of active users, so the count decides while this test database has under 100 users per
  /// brake count); returns its name and secret.
  async issueCredential(brakeCount?: number) {
    const name = unique("e2e-token");
    await this.goto("/credentials");
    await this.page.getByLabel("Name", { exact: true }).fill(name);
    if (brakeCount !== undefined) {
      await this.page.getByText(/^Provisioning policy:/).click();
      await this.page.getByLabel("More than (users)").fill(String(brakeCount));
      await this.page.getByLabel("or (% of active users)").fill("1");
    }
    await this.page.getByRole("button", { name: "Issue credential" }).click();
    const secret = (await this.page.getByTestId("issued-secret").textContent())!.trim();
    expect(secret).toMatch(/^cim_/);
    return { name, secret };
  }

  workspaceBox(name: string) {
    return this.page.getByRole("checkbox", { name, exact: true });
  }

  activeSwitch() {
    return this.page.getByRole("switch", { name: "Active" });
  }

  /// Ticks or unticks workspaces on a user page and saves: hydrated each tick saves at once;
  /// without JavaScript one Save sends them all.
  async setWorkspaces(...names: string[]) {
    if (this.js) {
      for (const name of names) {
        const saved = this.page.waitForResponse((r) => r.url().includes("/api/users/save_access"));
        await this.workspaceBox(name).click();
        await saved;
      }
      await expect(this.page.getByRole("status").filter({ hasText: "Workspace access saved." })).toBeVisible();
    } else {
      for (const name of names) await this.workspaceBox(name).click();
      await this.page.getByRole("button", { name: "Save workspace access" }).click();
      await this.page.waitForLoadState("load");
    }
  }

  async setWorkspace(name: string) {
    await this.setWorkspaces(name);
  }

  /// Switches the user on, or off (which asks first, and is confirmed here).
  async setActive() {
    const wasOn = await this.activeSwitch().isChecked();
    if (this.js) {
      await this.activeSwitch().click();
    } else {
      await this.activeSwitch().click();
      await this.page.getByRole("button", { name: "Save status" }).click();
      await this.page.waitForLoadState("load");
    }
    if (wasOn) {
      const confirm = this.page.getByRole("group", { name: /^Deactivate / });
      await expect(confirm).toContainText("cannot enter any workspace until activated again");
      const saved = this.js ? this.page.waitForResponse((r) => r.url().includes("/api/users/set_active")) : null;
      await confirm.getByRole("button", { name: "Deactivate" }).click();
      if (saved) await saved;
      await this.page.waitForLoadState("load");
    } else if (this.js) {
      await expect(this.page.getByRole("status").filter({ hasText: "Status saved." })).toBeVisible();
    }
    await this.ready();
    return !wasOn;
  }
}
