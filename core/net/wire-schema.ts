// WireSchema: one of core/net's protobuf schemas (the `schema` a generated
// module in pb/ exports, protobufjs JSON) compiled into the tables WireReader
// follows while a generated decoder reads, plus the checks only a caller can
// make after decoding: which fields must be present. Field numbers come from
// the schema, never from hand-written code.
import type { Codec, DecodeOptions } from 'protons-runtime';
import { InvalidFrameError } from './errors.ts';
import { WireReader } from './wire-reader.ts';

/** WireSchemaJson is the shape of a protobufjs JSON schema, as far as WireSchema reads it. */
export interface WireSchemaJson {
  readonly nested: Readonly<Record<string, {
    readonly fields?: Readonly<Record<string, {
      readonly type: string;
      readonly id: number;
      readonly rule?: string;
      readonly options?: { readonly jstype?: string; readonly proto3_optional?: boolean };
    }>>;
    readonly oneofs?: Readonly<Record<string, { readonly oneof: readonly string[] }>>;
    readonly values?: Readonly<Record<string, number>>;
  }>>;
}

/** ReaderMethod names the protons-runtime Reader method a generated decoder reads a field's value with. */
export type ReaderMethod = 'bool' | 'uint64Number' | 'int32' | 'string' | 'bytes' | 'uint32';

/** FieldRule is what WireReader knows of one field of a message. */
export interface FieldRule {
  /** `Message.field`, for error messages. */
  readonly where: string;
  readonly id: number;
  /** The wire type its tag must carry. */
  readonly wire: number;
  /** How the generated decoder reads its value ('uint32' reads an embedded message's length). */
  readonly read: ReaderMethod;
  /** The bit it sets among the fields seen in its message; 0 for a repeated field, shared by the fields of a oneof. */
  readonly bit: number;
  /** The name of its oneof, when that has more than one field (proto3 `optional` makes one-field oneofs). */
  readonly oneof: string | undefined;
  /** The message a field of message type holds. */
  readonly embedded: MessageRule | undefined;
  /** The values an enum field may hold. */
  readonly values: ReadonlySet<number> | undefined;
}

/** MessageRule is what WireReader knows of one message: its fields by number. */
export interface MessageRule {
  readonly name: string;
  /** Indexed by field number; undefined for a number the message does not declare. */
  readonly fields: readonly (FieldRule | undefined)[];
  readonly byName: ReadonlyMap<string, FieldRule>;
}

const VARINT = 0;
const LEN = 2;
const SCALARS: Record<string, { wire: number; read: ReaderMethod }> = {
  bool: { wire: VARINT, read: 'bool' },
  uint64: { wire: VARINT, read: 'uint64Number' },
  string: { wire: LEN, read: 'string' },
  bytes: { wire: LEN, read: 'bytes' },
};

/** Present is `T` with the fields `K` known to be there. */
export type Present<T, K extends keyof T> = T & { [P in K]-?: Exclude<T[P], undefined> };

/** WireSchema is a compiled schema: rules for WireReader, and presence checks after decoding. */
export class WireSchema {
  private readonly messages = new Map<string, MessageRule>();

  /**
   * The constructor compiles `json`. It throws on a field type WireReader
   * does not read (anything but bool, uint64 as a JS number, string, bytes,
   * enums and messages), so a schema change it cannot check fails at load.
   */
  constructor(json: WireSchemaJson) {
    const pending: [FieldRule & { embedded: MessageRule | undefined }, string][] = [];
    for (const [name, def] of Object.entries(json.nested)) {
      if (def.fields === undefined) continue;
      const fields: (FieldRule | undefined)[] = [];
      const byName = new Map<string, FieldRule>();
      const oneofOf = new Map<string, string>();
      for (const [oneof, { oneof: members }] of Object.entries(def.oneofs ?? {})) {
        if (members.length > 1) for (const m of members) oneofOf.set(m, oneof);
      }
      const bits = new Map<string, number>();
      let nextBit = 1;
      for (const [field, f] of Object.entries(def.fields)) {
        const repeated = f.rule === 'repeated';
        const where = `${name}.${field}`;
        const oneof = oneofOf.get(field);
        let bit = 0;
        if (!repeated) {
          const key = oneof ?? field;
          bit = bits.get(key) ?? nextBit;
          if (bit === nextBit) {
            if (nextBit === 2 ** 30) throw new Error(`WireSchema: ${name} has more than 30 fields`);
            bits.set(key, bit);
            nextBit *= 2;
          }
        }
        const target = json.nested[f.type];
        let rule: FieldRule;
        if (target?.values !== undefined) {
          rule = { where, id: f.id, wire: VARINT, read: 'int32', bit, oneof, embedded: undefined, values: new Set(Object.values(target.values)) };
        } else if (target?.fields !== undefined) {
          rule = { where, id: f.id, wire: LEN, read: 'uint32', bit, oneof, embedded: undefined, values: undefined };
          pending.push([rule, f.type]);
        } else {
          const scalar = SCALARS[f.type];
          if (scalar === undefined || (f.type === 'uint64' && f.options?.jstype !== 'JS_NUMBER')) {
            throw new Error(`WireSchema: ${where} is of type ${f.type}${f.type === 'uint64' ? ' without [jstype = JS_NUMBER]' : ''}, which WireReader does not read`);
          }
          if (repeated && scalar.wire === VARINT) throw new Error(`WireSchema: ${where} is a packed repeated field, which WireReader does not read`);
          rule = { where, id: f.id, ...scalar, bit, oneof, embedded: undefined, values: undefined };
        }
        fields[f.id] = rule;
        byName.set(field, rule);
      }
      this.messages.set(name, { name, fields, byName });
    }
    for (const [rule, type] of pending) (rule as { embedded: MessageRule | undefined }).embedded = this.message(type);
  }

  /** message returns the rules of the message `name`; it throws if the schema has no such message. */
  message(name: string): MessageRule {
    const rule = this.messages.get(name);
    if (rule === undefined) throw new Error(`WireSchema: no message ${name}`);
    return rule;
  }

  /**
   * decode reads `bytes` as the message `name` with the generated `codec`,
   * through a WireReader. It throws InvalidFrameError for bytes that break a
   * rule of the schema, and whatever the codec throws (MaxLengthError when a
   * repeated field is above its limit in `options`).
   */
  decode<T>(codec: Codec<T>, name: string, bytes: Uint8Array, options?: DecodeOptions<NoInfer<T>>): T {
    return codec.decode(new WireReader(bytes, this.message(name)), undefined, options);
  }

  /**
   * require throws InvalidFrameError naming the first field of `fields` that
   * the decoded message `value` (of the message `name`) lacks, and otherwise
   * returns it with those fields known to be present.
   */
  require<T extends object, K extends keyof T & string>(name: string, value: T, ...fields: K[]): Present<T, K> {
    for (const field of fields) {
      if (value[field] === undefined) {
        const rule = this.message(name).byName.get(field);
        throw new InvalidFrameError(`${name} lacks field ${rule?.id ?? '?'} (${field})`);
      }
    }
    return value as Present<T, K>;
  }
}
