import { execFile } from "node:child_process";
import { keystepEnv } from "./keystep-env";

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the compiled support CLI (`npm run keystep -- …`, dist/cli/keystep.cjs) against the e2e Keystep's database, as an operator would. */
export function keystepCli(...args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["dist/cli/keystep.cjs", ...args], { env: keystepEnv(), timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(error);
      resolve({ status: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
    });
  });
}
