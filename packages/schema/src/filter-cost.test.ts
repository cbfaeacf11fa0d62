import { describe, expect, test } from 'vitest';
import { checkFilter, checkRule, filterCost, type CheckedRule, type SchemaDocument } from './index.js';

const schema: SchemaDocument = {
  collections: {
    teams: { fields: { name: { type: 'text' }, owner: { type: 'relation', to: 'users' } } },
    projects: {
      fields: {
        name: { type: 'text' },
        public: { type: 'bool' },
        team: { type: 'relation', to: 'teams' },
      },
    },
    tasks: { fields: { title: { type: 'text' }, project: { type: 'relation', to: 'projects' } } },
  },
};

const filter = (source: string) => checkFilter(source, { schema, collection: 'tasks' });
const views: Record<string, CheckedRule> = {
  projects: checkRule('public || team.owner == auth.id', { schema, kind: 'view', collection: 'projects' }),
};
const viewRuleFor = (collection: string) => views[collection] ?? null;

describe('filterCost', () => {
  test('terms times one plus the relation hops', () => {
    expect(filterCost(filter('title == "a"'))).toEqual({ terms: 2, hops: 0, cost: 2 });
    expect(filterCost(filter('project.name == "a"'))).toEqual({ terms: 2, hops: 1, cost: 4 });
    expect(filterCost(filter('project.team.name == "a"'))).toEqual({ terms: 2, hops: 2, cost: 6 });
    expect(filterCost(filter('title in ["a", "b"]'))).toEqual({ terms: 4, hops: 0, cost: 4 });
  });

  test('each hop adds the terms and hops of the view rule it must pass', () => {
    // projects.view: 3 terms (public, team.owner, auth.id) and 1 hop (team).
    expect(filterCost(filter('project.name == "a"'), viewRuleFor)).toEqual({ terms: 5, hops: 2, cost: 15 });
    // teams has no view rule: the hop sees nothing and adds nothing to run.
    expect(filterCost(filter('project.team.name == "a"'), viewRuleFor)).toEqual({
      terms: 5,
      hops: 3,
      cost: 20,
    });
  });

  test('a 50-term OR over a relation path costs far more than 50 plain terms', () => {
    const or = (path: string) => Array.from({ length: 50 }, (_, i) => `${path} == "x${i}"`).join(' || ');
    const plain = filterCost(filter(or('title'))).cost;
    const hopping = filterCost(filter(or('project.name')), viewRuleFor).cost;
    expect(plain).toBe(100);
    expect(hopping).toBe(250 * 101);
  });
});
