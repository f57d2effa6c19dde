import { diskHarness, memoryHarness } from './testing/temp-dir.ts';
import { storageCompliance } from './testing/storage-compliance.ts';

storageCompliance('MemoryStorage', memoryHarness);
storageCompliance('DiskStorage', () => diskHarness());
