/** Builds the review console's static assets (placeholder until the console lands). */
export const buildConsole = async (_outDir: string): Promise<void> => {};
