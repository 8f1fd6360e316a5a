// When `node remove` lets an etcd member go: etcd's own rule (IsReadyToRemoveVotingMember), with health for "started".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memberRemoval, quorumOf, type EtcdMember } from '../../src/nodes/quorum.js';
import { membersWithHealth, parseMemberList } from '../../src/nodes/etcdctl.js';

const m = (name: string, healthy = true, isLearner = false): EtcdMember => ({ name, id: `${name}id`, healthy, isLearner });

describe('etcd quorum rule for member remove', () => {
  it('quorum is floor(N/2)+1', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map(quorumOf), [1, 2, 2, 3, 3]);
  });

  const cases: Array<[string, EtcdMember[], string, boolean]> = [
    ['the last member', [m('pi0')], 'pi0', false],
    ['one of two, the other healthy', [m('pi0'), m('pi1')], 'pi1', true],
    ['one of two, the other down', [m('pi0', false), m('pi1')], 'pi1', false],
    ['one of two: removing the dead one', [m('pi0'), m('pi1', false)], 'pi1', true],
    ['one of three, both others healthy', [m('pi0'), m('pi1'), m('pi2')], 'pi2', true],
    ['one of three, one other down (1 of 2 left healthy, 2 needed)', [m('pi0'), m('pi1', false), m('pi2')], 'pi2', false],
    ['the dead one of three', [m('pi0'), m('pi1'), m('pi2', false)], 'pi2', true],
    ['one of five, one other down (3 of 4 healthy, 3 needed)', [m('a'), m('b'), m('c'), m('d', false), m('e')], 'e', true],
    ['one of five, two others down (2 of 4, 3 needed)', [m('a'), m('b'), m('c', false), m('d', false), m('e')], 'e', false],
    ['a learner: no vote', [m('pi0', false), m('pi1', true, true)], 'pi1', true],
    ['learners do not count for quorum', [m('pi0'), m('pi1', true, true), m('pi2')], 'pi2', true],
    ['a name etcd does not know: nothing to remove', [m('pi0')], 'pi9', true],
  ];
  for (const [title, members, name, ok] of cases) {
    it(`${title}: ${ok ? 'allowed' : 'refused'}`, () => {
      const verdict = memberRemoval(members, name);
      assert.equal(verdict.ok, ok, verdict.reason);
      if (!verdict.ok) assert.ok(verdict.hint.length > 0);
    });
  }

  it('names the members that are down', () => {
    const verdict = memberRemoval([m('pi0'), m('pi1', false), m('pi2')], 'pi2');
    assert.match(verdict.reason, /1 of the 2 members left would be healthy, 2 are needed \(down: pi1\)/);
  });
});

describe("etcdctl's simple output", () => {
  const list = [
    '8e9e05c52164694d, started, pi0, https://198.51.100.10:2380, https://198.51.100.10:2379, false',
    '91bc3c398fb3c146, started, pi1, https://198.51.100.11:2380, https://198.51.100.11:2379,https://127.0.0.1:2379, false',
    'fd422379fda50e48, started, pi2, https://198.51.100.12:2380, https://198.51.100.12:2379, true',
    '',
  ].join('\n');
  it('member list: hex ID, name, client URLs, learner', () => {
    assert.deepEqual(parseMemberList(list)[1], {
      id: '91bc3c398fb3c146',
      name: 'pi1',
      clientUrls: ['https://198.51.100.11:2379', 'https://127.0.0.1:2379'],
      isLearner: false,
    });
    assert.equal(parseMemberList(list)[2].isLearner, true);
  });
  it('endpoint health --cluster (stderr joined): a member without "is healthy" is down', () => {
    const health = [
      'https://198.51.100.10:2379 is healthy: successfully committed proposal: took = 1.754538ms',
      'https://198.51.100.11:2379 is unhealthy: failed to commit proposal: context deadline exceeded',
      'Error: unhealthy cluster',
    ].join('\n');
    assert.deepEqual(
      membersWithHealth(list, health).map((x) => [x.name, x.healthy]),
      [
        ['pi0', true],
        ['pi1', false],
        ['pi2', false],
      ],
    );
  });
});
