import { CancelledError } from '../errors.js';

/**
 * Small wrappers around @inquirer/prompts (loaded only when a question is asked, and only ever used
 * when stdin is a terminal). Ctrl-C during a question becomes a CancelledError.
 */
export async function choose<T>(message: string, choices: Array<{ name: string; value: T; disabled?: string | boolean }>): Promise<T> {
  const { select } = await import('@inquirer/prompts');
  return ask(() => select({ message, choices, pageSize: 12 }));
}

/** Several of the choices (at least one). */
export async function chooseSome<T>(message: string, choices: Array<{ name: string; value: T; checked?: boolean }>): Promise<T[]> {
  const { checkbox } = await import('@inquirer/prompts');
  return ask(() => checkbox({ message, choices, required: true }));
}

export async function confirmYes(message: string, defaultAnswer = false): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return ask(() => confirm({ message, default: defaultAnswer }));
}

export async function pressEnter(message: string): Promise<void> {
  const { input } = await import('@inquirer/prompts');
  await ask(() => input({ message }));
}

/** A secret typed at the terminal, shown as asterisks, never echoed or logged. */
export async function askSecret(message: string, validate?: (value: string) => string | true): Promise<string> {
  const { password } = await import('@inquirer/prompts');
  return ask(() => password({ message, mask: '*', validate }));
}

async function ask<T>(question: () => Promise<T>): Promise<T> {
  try {
    return await question();
  } catch (error) {
    if ((error as Error)?.name === 'ExitPromptError') throw new CancelledError();
    throw error;
  }
}
