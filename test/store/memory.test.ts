/** The store contract against the in-memory adapter. */
import { createMemoryStore } from '../../shared/store/memory.js';
import { verdictStoreContract } from './contract.js';

verdictStoreContract('in-memory store', async (now) => createMemoryStore({ now }));
