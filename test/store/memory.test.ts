/** The store contract against the in-memory adapter. */
import { createMemoryStore } from '../../shared/store/memory.js';
import { verdictStoreContract } from './contract.js';
import { policyRepositoryContract } from './policy-contract.js';

verdictStoreContract('in-memory store', async (now) => createMemoryStore({ now }));
policyRepositoryContract('in-memory store', async () => createMemoryStore().policies);
