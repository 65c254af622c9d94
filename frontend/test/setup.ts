// Vitest setup: unmount rendered components between tests.
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/preact';

afterEach(() => cleanup());
