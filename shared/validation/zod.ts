/** zod/mini with only the English locale, configured once; import it as a namespace (`import * as z from '…/validation/zod.js'`) so esbuild can tree-shake it (a re-exported `z` object would pull in every locale). */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
