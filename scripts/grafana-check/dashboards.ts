// The static half of .ci/deploy-grafana-check: the provisioned data sources and the dashboard
// JSON files Grafana loads (deploy/grafana/), read and checked for what Grafana needs.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** A data source as deploy/grafana/provisioning/datasources/*.yml declares it. */
export interface DataSource {
  uid: string;
  type: string;
}

/** One query of one panel, with where it comes from for messages and the result table. */
export interface PanelQuery {
  file: string;
  dashboardUid: string;
  panelTitle: string;
  refId: string;
  expr: string;
}

/** What {@link readDashboards} found: the queries to run, and every problem (empty: all good). */
export interface DashboardReading {
  queries: PanelQuery[];
  problems: string[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Reads every data source of the provisioning folder's YAML files. */
export function readDataSources(folder: string): DataSource[] {
  const sources: DataSource[] = [];
  for (const name of readdirSync(folder).filter((n) => /\.ya?ml$/.test(n))) {
    const file = parseYaml(readFileSync(path.join(folder, name), 'utf8')) as unknown;
    const list = isObject(file) && Array.isArray(file.datasources) ? file.datasources : [];
    for (const entry of list as unknown[]) {
      if (isObject(entry) && isText(entry.uid) && isText(entry.type)) {
        sources.push({ uid: entry.uid, type: entry.type });
      }
    }
  }
  return sources;
}

/** The problems of one data source reference (`datasource` of a panel or a target). */
function datasourceProblems(ref: unknown, sources: DataSource[], where: string): string[] {
  if (!isObject(ref) || !isText(ref.uid) || !isText(ref.type)) {
    return [`${where}: datasource must be {"type", "uid"} naming a provisioned data source`];
  }
  const source = sources.find((s) => s.uid === ref.uid);
  if (!source) {
    const known = sources.map((s) => s.uid).join(', ');
    return [`${where}: datasource uid "${ref.uid}" is not provisioned (known: ${known})`];
  }
  return source.type === ref.type
    ? []
    : [`${where}: datasource "${ref.uid}" is a ${source.type}, not a ${ref.type}`];
}

/** Checks one target of a panel; collects its query. */
function checkTarget(
  target: unknown,
  context: {
    file: string;
    dashboardUid: string;
    sources: DataSource[];
    where: string;
    panelTitle: string;
    refIds: Set<string>;
  },
  queries: PanelQuery[],
): string[] {
  const { where, refIds } = context;
  if (!isObject(target)) return [`${where}: a target is not an object`];
  const problems: string[] = [];
  const refId = isText(target.refId) ? target.refId : '?';
  if (refId === '?') problems.push(`${where}: a target has no refId`);
  else if (refIds.has(refId)) problems.push(`${where}: refId ${refId} is used twice`);
  refIds.add(refId);
  if (target.datasource !== undefined) {
    problems.push(...datasourceProblems(target.datasource, context.sources, `${where} ${refId}`));
  }
  if (!isText(target.expr)) return [...problems, `${where} ${refId}: no expr`];
  queries.push({
    file: context.file,
    dashboardUid: context.dashboardUid,
    panelTitle: context.panelTitle,
    refId,
    expr: target.expr,
  });
  return problems;
}

/** Checks one panel; collects its Prometheus queries. */
function checkPanel(
  panel: unknown,
  context: { file: string; dashboardUid: string; sources: DataSource[] },
  queries: PanelQuery[],
): string[] {
  if (!isObject(panel)) return [`${context.file}: a panel is not an object`];
  const where = `${context.file}: panel ${JSON.stringify(panel.title ?? panel.id)}`;
  const problems: string[] = [];
  if (!isText(panel.title)) problems.push(`${where}: no title`);
  if (!isText(panel.type)) problems.push(`${where}: no type`);
  const grid = panel.gridPos;
  if (!isObject(grid) || !['x', 'y', 'w', 'h'].every((k) => Number.isInteger(grid[k]))) {
    problems.push(`${where}: gridPos needs integer x, y, w and h`);
  }
  if (panel.type === 'row') return problems;
  problems.push(...datasourceProblems(panel.datasource, context.sources, where));
  if (!Array.isArray(panel.targets) || panel.targets.length === 0) {
    return [...problems, `${where}: no targets`];
  }
  const refIds = new Set<string>();
  for (const target of panel.targets as unknown[]) {
    const panelTitle = isText(panel.title) ? panel.title : '?';
    problems.push(...checkTarget(target, { ...context, where, panelTitle, refIds }, queries));
  }
  return problems;
}

/** Checks one dashboard's top level and its panels; collects their queries. */
function checkDashboard(
  file: string,
  dashboard: Json,
  sources: DataSource[],
  queries: PanelQuery[],
): string[] {
  const problems: string[] = [];
  const uid = isText(dashboard.uid) ? dashboard.uid : '';
  if (!uid) problems.push(`${file}: no uid`);
  else if (uid.length > 40 || !/^[\w-]+$/.test(uid)) {
    problems.push(`${file}: uid "${uid}" must be at most 40 letters, digits, - or _`);
  }
  if (!isText(dashboard.title)) problems.push(`${file}: no title`);
  if (typeof dashboard.schemaVersion !== 'number') problems.push(`${file}: no schemaVersion`);
  if (!Array.isArray(dashboard.panels) || dashboard.panels.length === 0) {
    return [...problems, `${file}: no panels`];
  }
  const ids = new Set<unknown>();
  for (const panel of dashboard.panels as unknown[]) {
    const id = isObject(panel) ? panel.id : undefined;
    if (!Number.isInteger(id)) problems.push(`${file}: a panel has no integer id`);
    else if (ids.has(id)) problems.push(`${file}: panel id ${String(id)} is used twice`);
    ids.add(id);
    problems.push(...checkPanel(panel, { file, dashboardUid: uid, sources }, queries));
  }
  return problems;
}

/**
 * Reads every `*.json` of `dashboardsFolder` and checks it against the data sources provisioned
 * in `dataSourcesFolder`: it parses, has a unique uid and title, panels with unique ids, each
 * with a provisioned data source and targets with an expression.
 */
export function readDashboards(
  dashboardsFolder: string,
  dataSourcesFolder: string,
): DashboardReading {
  const sources = readDataSources(dataSourcesFolder);
  const problems: string[] = [];
  if (!sources.some((s) => s.type === 'prometheus')) {
    problems.push(`${dataSourcesFolder}: no prometheus data source with a uid`);
  }
  const files = readdirSync(dashboardsFolder).filter((n) => n.endsWith('.json'));
  if (files.length === 0) problems.push(`${dashboardsFolder}: no dashboard JSON files`);
  const queries: PanelQuery[] = [];
  const uids = new Map<string, string>();
  const titles = new Map<string, string>();
  for (const name of files.toSorted((a, b) => a.localeCompare(b))) {
    const file = path.join(dashboardsFolder, name);
    let dashboard: unknown;
    try {
      dashboard = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push(`${file}: not JSON (${(error as Error).message})`);
      continue;
    }
    if (!isObject(dashboard)) {
      problems.push(`${file}: not a JSON object`);
      continue;
    }
    problems.push(...checkDashboard(file, dashboard, sources, queries));
    for (const [key, seen] of [
      ['uid', uids],
      ['title', titles],
    ] as const) {
      const value = dashboard[key];
      if (!isText(value)) continue;
      const other = seen.get(value);
      if (other) problems.push(`${file}: ${key} "${value}" is also ${other}'s`);
      seen.set(value, file);
    }
  }
  return { queries, problems };
}

/**
 * The expression as Prometheus will see it: Grafana's interval variables replaced by durations
 * (Grafana computes them from the panel width and the scrape interval).
 */
export function expandGrafanaVariables(expr: string, rateInterval: string): string {
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('$__interval', rateInterval)
    .replaceAll('$__range', '1h');
}
