import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { byHostNumber, planRoles } from '../../src/discover/roles.js';
import { UserError } from '../../src/errors.js';
import { inventoryHosts, parseInventory } from '../../src/inventory/ini.js';
import { packageRoot } from '../../src/paths.js';

const fixture = (name: string) => readFileSync(join(packageRoot(), 'test/fixtures/discover', name), 'utf8');

describe('roles', () => {
  const names = ['pi10', 'pi2', 'pi1'];
  it('orders hosts by number and picks the lowest-numbered as the default master', () => {
    assert.deepEqual(names.slice().sort(byHostNumber), ['pi1', 'pi2', 'pi10']);
    assert.deepEqual(planRoles(names, [], {}).masters, ['pi1']);
    assert.deepEqual(planRoles(names, [], { count: 2 }).masters, ['pi1', 'pi2']);
    assert.deepEqual(planRoles(names, [], { names: ['pi2'] }).masters, ['pi2']);
    assert.equal(planRoles(names, [], { names: ['pi2'] }).roleFor('pi1'), 'workers');
  });

  it('keeps the roles already in pi-hosts and says so when a flag disagrees', () => {
    const listed = inventoryHosts(parseInventory(fixture('pi-hosts.hand-edited')));
    assert.deepEqual(planRoles(['pi0', 'pi1', 'pi2', 'pi3'], listed, {}).masters, [], 'there are masters already');
    const plan = planRoles(['pi0', 'pi1', 'pi2', 'pi3'], listed, { names: ['pi1'] });
    assert.deepEqual(plan.masters, []);
    assert.match(plan.warnings[0], /^pi1: already listed as workers in pi-hosts; kept/);
  });

  it('refuses impossible requests', () => {
    assert.throws(
      () => planRoles(names, [], { names: ['pi7'] }),
      (e: unknown) => e instanceof UserError && /--master pi7: no host of that name/.test(e.message),
    );
    assert.throws(
      () => planRoles(names, [], { count: 4 }),
      (e: unknown) => e instanceof UserError && /--masters 4: only 3 hosts found/.test(e.message),
    );
  });
});
