import { loadDefinitionFile } from '../config/load-definition.js';
import { formatIssue } from '../config/parse-yaml.js';
import type { Definition } from '../domain/definition.js';
import { configPath, EXIT_INVALID, EXIT_OK, type CliIo } from './cli-io.js';

function summarize(definition: Definition): string {
  const { qualification, routing, sla, feedback } = definition;
  const tiers = Object.entries(qualification.tiers)
    .sort(([, a], [, b]) => b - a)
    .map(([name, minimum]) => `${name} >= ${minimum}`)
    .join(', ');
  const pools = Object.values(routing.pools);
  const members = pools.reduce((count, pool) => count + pool.members.length, 0);
  const allowances = Object.entries(sla.first_touch)
    .map(([tier, allowance]) => `${tier} ${allowance}`)
    .join(', ');
  return (
    `definition ${definition.version}: threshold ${qualification.threshold}, ` +
    `${qualification.gates.length} gates, ${qualification.fit.length} fit rules, ` +
    `${Object.keys(qualification.engagement.activities).length} HubSpot and ` +
    `${Object.keys(qualification.engagement.salesforce_activities).length} Salesforce activity types, tiers ${tiers}; ` +
    `${routing.rules.length} routing rules, ${pools.length} pools (${members} members); ` +
    `first touch ${allowances}; ${Object.keys(feedback.reasons).length} rejection reasons`
  );
}

/** `handoff validate`: exit 0 with a one-line summary, or 2 with every problem. */
export async function validateCommand(
  flags: { config?: string | undefined },
  io: CliIo,
): Promise<number> {
  const file = configPath(flags.config, io);
  const result = await loadDefinitionFile(file);
  if (result.ok) {
    io.stdout(`${file}: valid — ${summarize(result.value)}\n`);
    return EXIT_OK;
  }
  const count = result.issues.length;
  io.stderr(`${file}: ${count} problem${count === 1 ? '' : 's'}\n`);
  for (const issue of result.issues) io.stderr(`  ${formatIssue(issue)}\n`);
  return EXIT_INVALID;
}
