// Vitest setup: unmount rendered components between tests.
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/preact';

afterEach(() => cleanup());

// jsdom has no canvas: answer "no 2d context" quietly (charts then draw nothing) instead of logging per call.
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
