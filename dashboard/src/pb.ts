/**
 * The one PocketBase SDK client of the dashboard (docs/dashboard.md, "Talking to the API").
 * Every API call goes through it; its auth persists in localStorage (the SDK's LocalAuthStore).
 */
import PocketBase from 'pocketbase';

/** The client, on the origin that served the dashboard. */
export const pb = new PocketBase(location.origin);

/** Whether a superuser is signed in with a token that has not expired. */
export function isSuperuserSignedIn(): boolean {
  return pb.authStore.isValid && pb.authStore.isSuperuser;
}
