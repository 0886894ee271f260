/** The studies `npm run study -- <name>` knows, by name: one file per study in lib/studies/. */
import { ConfigError } from "../core/config";
import { pretrainingStudy } from "./pretraining";
import { smokeStudy } from "./smoke";
import { StudyDefinition } from "./spec";

export const STUDIES: Record<string, StudyDefinition> = {
  [smokeStudy.name]: smokeStudy,
  [pretrainingStudy.name]: pretrainingStudy,
};

/** The definition of a study; an unknown name lists the studies there are. */
export function studyDefinition(name: string | undefined): StudyDefinition {
  const found = name === undefined ? undefined : STUDIES[name];
  if (!found) throw new ConfigError(`${name ? `Unknown study "${name}"` : "No study given"}. Studies: ${Object.values(STUDIES).map((s) => `${s.name} (${s.description})`).join("; ")}.`);
  return found;
}
