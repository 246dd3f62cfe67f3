/**
 * The Terraform fragment (auth0/terraform/keystep.tf) and the Deploy CLI fragment
 * (auth0/deploy-cli/tenant.yaml) install the same Action as `npm run keystep -- auth0 install`:
 * the code of auth0/action.js, post-login v3, node22, the same required secrets, deployed, bound
 * last. They are read as text (no Terraform or a0deploy here), so they cannot drift from the CLI.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ACTION_RUNTIME, ACTION_TRIGGER, DEFAULT_ACTION_NAME, REQUIRED_SECRETS } from "@/lib/support/auth0-install";

const ROOT = path.resolve(__dirname, "..");
const ACTION = path.join(ROOT, "auth0/action.js");
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), "utf8");
const all = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]);

describe("auth0/terraform/keystep.tf", () => {
  const tf = read("auth0/terraform/keystep.tf");
  const action = /resource "auth0_action" "keystep" \{([\s\S]*?)\n\}/.exec(tf)?.[1] ?? "";
  const trigger = /resource "auth0_trigger_actions" "post_login" \{([\s\S]*?)\n\}/.exec(tf)?.[1] ?? "";

  it("pins post-login v3 and node22, deploys, and takes its code from auth0/action.js", () => {
    expect(action).not.toBe("");
    expect(all(action, /\bruntime\s*=\s*"([^"]+)"/g)).toEqual([ACTION_RUNTIME]);
    expect(all(action, /\bid\s*=\s*"([^"]+)"/g)).toEqual([ACTION_TRIGGER.id]);
    expect(all(action, /\bversion\s*=\s*"([^"]+)"/g)).toEqual([ACTION_TRIGGER.version]);
    expect(action).toMatch(/\bdeploy\s*=\s*true\b/);
    const code = /\bcode\s*=\s*file\("\$\{path\.module\}\/([^"]+)"\)/.exec(action)?.[1];
    expect(code && path.resolve(ROOT, "auth0/terraform", code)).toBe(ACTION);
    expect(/variable "keystep_action_name" \{[\s\S]*?default\s*=\s*"([^"]+)"/.exec(tf)?.[1]).toBe(DEFAULT_ACTION_NAME);
  });

  it("sets the same required secrets as the install command, from variables", () => {
    expect(all(action, /secrets \{\s*name\s*=\s*"([^"]+)"\s*value\s*=\s*var\.\w+/g)).toEqual([...REQUIRED_SECRETS]);
  });

  it("binds the Action last in the post-login flow", () => {
    expect(trigger).toMatch(/\btrigger\s*=\s*"post-login"/);
    expect(trigger).toMatch(/concat\(var\.post_login_actions_before_keystep, \[\{ id = auth0_action\.keystep\.id, [^\]]*\}\]\)/);
  });
});

describe("auth0/deploy-cli/tenant.yaml", () => {
  const yaml = read("auth0/deploy-cli/tenant.yaml").replace(/^\s*#.*$/gm, "");
  const actions = /^actions:\n([\s\S]*?)^\S/m.exec(yaml)?.[1] ?? "";
  const triggers = /^triggers:\n([\s\S]*)$/m.exec(yaml)?.[1] ?? "";

  it("pins post-login v3 and node22, deploys, and takes its code from auth0/action.js", () => {
    expect(all(actions, /^\s*- name: (.+)$/gm)[0]).toBe(DEFAULT_ACTION_NAME);
    expect(all(actions, /^\s*runtime: (.+)$/gm)).toEqual([ACTION_RUNTIME]);
    expect(all(actions, /^\s*- id: (.+)$/gm)).toEqual([ACTION_TRIGGER.id]);
    expect(all(actions, /^\s*version: (.+)$/gm)).toEqual([ACTION_TRIGGER.version]);
    expect(actions).toMatch(/^\s*deployed: true$/m);
    // a0deploy loads `code` relative to the YAML file's folder.
    const code = /^\s*code: (.+)$/m.exec(actions)?.[1];
    expect(code && path.resolve(ROOT, "auth0/deploy-cli", code)).toBe(ACTION);
  });

  it("sets the same required secrets as the install command, from keyword replacement", () => {
    const secrets = /^\s*secrets:\n((?:\s+- name: .+\n\s+value: .+\n?)+)/m.exec(actions)?.[1] ?? "";
    expect(all(secrets, /- name: (\S+)/g)).toEqual([...REQUIRED_SECRETS]);
    expect(all(secrets, /value: "(.+)"/g)).toEqual(REQUIRED_SECRETS.map((n) => `##${n}##`));
    const config = JSON.parse(read("auth0/deploy-cli/config.example.json")) as { AUTH0_KEYWORD_REPLACE_MAPPINGS: Record<string, string>; AUTH0_INCLUDED_ONLY: string[] };
    expect(Object.keys(config.AUTH0_KEYWORD_REPLACE_MAPPINGS)).toEqual([...REQUIRED_SECRETS]);
    expect(config.AUTH0_INCLUDED_ONLY).toEqual(["actions", "triggers"]);
  });

  it("binds the Action last in the post-login flow", () => {
    expect(triggers).toMatch(/^\s+post-login:\n/m);
    expect(all(triggers, /action_name: (.+)$/gm).at(-1)).toBe(DEFAULT_ACTION_NAME);
  });
});
