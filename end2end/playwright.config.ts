import { defineConfig } from "@playwright/test";

// The server is started by .ci/test (fresh database, one admin); this only points at it.
const baseURL = process.env.CIM_BASE_URL ?? "http://127.0.0.1:3000";

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  // Root in CI needs --no-sandbox; the rest keeps Chromium off the (closed) network.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    launchOptions: chromium,
    trace: "off",
  },
  // Every test runs twice: as plain HTML forms (no JavaScript) and hydrated.
  projects: [
    { name: "no-js", use: { javaScriptEnabled: false } },
    { name: "hydrated", use: { javaScriptEnabled: true } },
  ],
});
