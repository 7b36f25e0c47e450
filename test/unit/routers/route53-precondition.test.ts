import { describe, expect, it } from 'vitest';
import { isPreconditionFailure } from '@cutover/routers';

const batchError = (message: string) =>
  Object.assign(new Error(message), { name: 'InvalidChangeBatch', messages: [] });
const deleteMismatch =
  "Tried to delete resource record set [name='api.example.com.', type='A', set-identifier='blue'] but the values provided do not match the current values";
const createCollision =
  "Tried to create resource record set [name='api.example.com.', type='A', set-identifier='blue'] but it already exists";

describe('Route 53 precondition failures', () => {
  it('is a conflict when the DELETE of the read record no longer matches (and its CREATE collides for that reason)', () => {
    expect(isPreconditionFailure(batchError(`[${deleteMismatch}]`), false)).toBe(true);
    expect(
      isPreconditionFailure(batchError(`[${deleteMismatch}, ${createCollision}]`), false),
    ).toBe(true);
    expect(
      isPreconditionFailure(
        batchError(
          "[Tried to delete resource record set [name='api.example.com.', type='A', set-identifier='blue'] but it was not found]",
        ),
        false,
      ),
    ).toBe(true);
  });

  it('is a conflict when a marker read as absent was created meanwhile', () => {
    const marker =
      "[Tried to create resource record set [name='_cutover.api.example.com.', type='TXT'] but it already exists]";
    expect(isPreconditionFailure(batchError(marker), true)).toBe(true);
    expect(isPreconditionFailure(batchError(marker), false)).toBe(false);
  });

  it('is not a conflict for anything else in the batch, alone or mixed with a mismatch', () => {
    expect(
      isPreconditionFailure(batchError('[Number of records limit of 1000 exceeded.]'), false),
    ).toBe(false);
    expect(isPreconditionFailure(batchError(createCollision), false)).toBe(false);
    expect(
      isPreconditionFailure(
        batchError(
          `[${deleteMismatch}, RRSet with DNS name api.example.com. is not permitted in zone example.org.]`,
        ),
        false,
      ),
    ).toBe(false);
    expect(
      isPreconditionFailure(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }),
        false,
      ),
    ).toBe(false);
  });
});
