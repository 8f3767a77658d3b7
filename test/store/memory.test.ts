/** The VerdictStore contract against MemoryVerdictStore. */
import { MemoryVerdictStore } from '../../shared/store/memory.js';
import { verdictStoreContract } from './contract.js';

verdictStoreContract('MemoryVerdictStore', async (now) => new MemoryVerdictStore({ now }));
