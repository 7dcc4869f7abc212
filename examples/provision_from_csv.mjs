#!/usr/bin/env node
// The scenario of the article behind CIM: a non-SCIM source (a spreadsheet, a planning model, a
// database export) holds the users to create, and a small script shapes each row into a SCIM
// user and sends it to CIM. Workspace access travels as Anaplan does it: one entitlement of
// type WORKSPACE_NAMES whose value lists the workspace names, comma-separated.
//
//   CIM_URL=http://127.0.0.1:3000 CIM_TOKEN=cim_... node examples/provision_from_csv.mjs examples/new-users.csv
//
// The token is a SCIM credential: `cim scim-credential create --name my-script` prints one.
// Columns (first line): Name (the userName, an e-mail), External_id, GivenName, FamilyName,
// Workspace (names separated by ";"), Active (true/false). Running it again converges: a user
// that exists is replaced (PUT) with what the row says. Exits 1 if any row failed.
// Node 18 or later; no packages.

import { readFileSync } from "node:fs";

const [file] = process.argv.slice(2);
const base = (process.env.CIM_URL ?? "http://127.0.0.1:3000").replace(/\/$/, "") + "/scim/v2";
const token = process.env.CIM_TOKEN;
if (!file || !token) {
  console.error("usage: CIM_URL=... CIM_TOKEN=... node provision_from_csv.mjs FILE.csv");
  process.exit(2);
}

/// RFC 4180 CSV: quoted cells may hold commas, doubled quotes and line breaks.
function parseCsv(text) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); cell = "";
      if (row.some((v) => v !== "")) rows.push(row);
      row = [];
    } else cell += c;
  }
  row.push(cell);
  if (row.some((v) => v !== "")) rows.push(row);
  return rows;
}

/// One row of the source, shaped the way SCIM wants a user.
function scimUser(record) {
  const workspaces = (record.Workspace ?? "").split(";").map((w) => w.trim()).filter(Boolean);
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: record.Name,
    externalId: record.External_id || undefined,
    name: { givenName: record.GivenName, familyName: record.FamilyName },
    emails: [{ value: record.Name, type: "work", primary: true }],
    active: !/^(false|no|0)$/i.test(record.Active ?? "true"),
    entitlements: workspaces.length ? [{ type: "WORKSPACE_NAMES", value: workspaces.join(",") }] : [],
  };
}

async function scim(method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json", Accept: "application/scim+json" },
    body: body && JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const [header, ...lines] = parseCsv(readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
let failed = 0;
for (const line of lines) {
  const record = Object.fromEntries(header.map((name, i) => [name.trim(), (line[i] ?? "").trim()]));
  const user = scimUser(record);
  const filter = encodeURIComponent(`userName eq "${user.userName.replace(/["\\]/g, "\\$&")}"`);
  const found = await scim("GET", `/Users?filter=${filter}&attributes=id`);
  const existing = found.body?.Resources?.[0]?.id;
  const result = existing ? await scim("PUT", `/Users/${existing}`, user) : await scim("POST", "/Users", user);
  if (result.status === 200 || result.status === 201) {
    const granted = (result.body.entitlements ?? []).filter((e) => e.type === "WORKSPACE").map((e) => e.display ?? e.value);
    console.log(`${existing ? "updated" : "created"} ${user.userName} (${user.active ? "active" : "inactive"}; workspaces: ${granted.join(", ") || "none"})`);
  } else {
    failed++;
    console.log(`FAILED  ${user.userName}: ${result.status} ${result.body?.detail ?? JSON.stringify(result.body)}`);
  }
}
console.log(`${lines.length - failed} of ${lines.length} users provisioned.`);
process.exit(failed ? 1 : 0);
