// user.v1.UserService: extend the generated base, one method per RPC.
import { Code, TuskError, type CallContext, type FieldViolation } from 'tusk-grpc';
import type {
  CreateUserRequest, CreateUserResponse, GetUserRequest, GetUserResponse, ImportUsersRequest, ImportUsersResponse,
  ListUsersRequest, ListUsersResponse, User,
} from '../../gen/user/v1/user.js';
import { UserServiceBase } from '../../gen/user/v1/user.tusk.js';
import { UserStore, type StoredUser } from './user-store.js';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** What is wrong with a new user's fields; empty when nothing is. */
export function validateNewUser(request: { name: string; email: string }): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const name = request.name.trim();
  if (name === '') violations.push({ field: 'name', description: 'must not be empty' });
  else if (name.length > 100) violations.push({ field: 'name', description: 'must be at most 100 characters' });
  if (!EMAIL.test(request.email)) violations.push({ field: 'email', description: 'must be an address like ada@example.com' });
  return violations;
}

const toUser = (stored: StoredUser): User => ({ id: stored.id, name: stored.name, email: stored.email, createdAt: new Date(stored.createdAt) });

export class UserService extends UserServiceBase {
  /** Put in every response's served_by, so callers can see the balancing; main.ts falls back to the port. */
  instanceName = process.env.INSTANCE_NAME ?? '';

  constructor(private readonly store = new UserStore()) {
    super();
  }

  async createUser(request: CreateUserRequest, ctx: CallContext): Promise<CreateUserResponse> {
    const violations = validateNewUser(request);
    if (violations.length > 0) {
      throw new TuskError(Code.INVALID_ARGUMENT, `invalid user: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`, { fieldViolations: violations });
    }
    if (await this.store.findByEmail(request.email)) {
      throw new TuskError(Code.ALREADY_EXISTS, `a user with email ${request.email} exists`, { fieldViolations: [{ field: 'email', description: 'is already taken' }] });
    }
    const user = await this.store.add(request.name.trim(), request.email);
    ctx.logger.info({ user_id: user.id }, 'user created');
    // Announced once stored, before answering: a caller that saw OK knows the event is out. The event id is the
    // user's, so a retried publish is dropped as a duplicate. A crash between the two loses it (docs/events.md, outbox).
    await this.publishUserCreated({ userId: user.id, name: user.name, email: user.email, createdAt: new Date(user.createdAt) }, { eventId: `user-created-${user.id}` });
    return { user: toUser(user), servedBy: this.instanceName };
  }

  async getUser(request: GetUserRequest, ctx: CallContext): Promise<GetUserResponse> {
    const user = await this.store.get(request.id);
    // The call's logger carries trace_id: the demo reads it to show one trace across services.
    ctx.logger.info({ user_id: request.id, found: user !== undefined }, 'get user');
    if (!user) throw new TuskError(Code.NOT_FOUND, `no user with id "${request.id}"`);
    return { user: toUser(user), servedBy: this.instanceName };
  }

  async *listUsers(request: ListUsersRequest, ctx: CallContext): AsyncIterable<ListUsersResponse> {
    const users = await this.store.list();
    const limit = request.limit > 0 ? request.limit : users.length;
    for (const user of users.slice(0, limit)) {
      if (ctx.signal.aborted) return;
      yield { user: toUser(user) };
    }
  }

  /** Stores each valid user with a new email; reports the emails it turned away. */
  async importUsers(requests: AsyncIterable<ImportUsersRequest>, ctx: CallContext): Promise<ImportUsersResponse> {
    let imported = 0;
    const rejectedEmails: string[] = [];
    for await (const request of requests) {
      if (validateNewUser(request).length > 0 || (await this.store.findByEmail(request.email))) {
        rejectedEmails.push(request.email);
        continue;
      }
      await this.store.add(request.name.trim(), request.email);
      imported++;
    }
    ctx.logger.info({ imported, rejected: rejectedEmails.length }, 'users imported');
    return { imported, rejectedEmails };
  }
}
