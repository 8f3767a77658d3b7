/** The CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). */
import { buildApp } from './build-app.js';

buildApp();
