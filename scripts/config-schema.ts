// `npm run config:schema`: writes keystep.config.schema.json from the zod schema, so editors
// autocomplete and check keystep.config.json. Runs under the react-server condition.
import fs from "node:fs";
import { z } from "zod";
import { configSchema } from "../lib/config";

const schema = z.toJSONSchema(configSchema, { target: "draft-2020-12", io: "input" });
fs.writeFileSync("keystep.config.schema.json", JSON.stringify({ ...schema, title: "Keystep configuration" }, null, 2) + "\n");
console.log("wrote keystep.config.schema.json");
