export declare const nativeVersion: string;
