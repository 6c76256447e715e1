import type { SeededRandom } from './seeded-random.js';

const ADJECTIVES = ['swift', 'calm', 'bright', 'quiet', 'bold', 'rapid', 'steady', 'lucid', 'vivid', 'keen'];
const NOUNS = ['neural', 'cortex', 'signal', 'vector', 'pulse', 'spike', 'wave', 'motor', 'theta', 'delta'];

/** A session name in the streaming seed's style: `swift-neural-42`. */
export function sessionName(random: SeededRandom): string {
  return `${random.pick(ADJECTIVES)}-${random.pick(NOUNS)}-${random.int(10, 99)}`;
}
