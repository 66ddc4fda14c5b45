# SPDX-License-Identifier: GPL-2.0-only
# Turns the output of test/xlated-ctx-probe.c into src/kernel/ctx_xlated.ts:
# the replacement insns of each context access that the kernel rewrites.
import re,sys
ent={}
bad=0
for l in open(sys.argv[1]):
    l=l.strip()
    head,ins=l.split(':',1); ins=ins.split()
    ty,eat,op,sz,rest=head.split(' ',4)
    off=int(re.search(r'\+(\d+)',rest).group(1))
    le='%02x%02x'%(off&255,off>>8)
    szc={'w':0,'h':8,'b':0x10,'d':0x18}[sz]
    if ins[-2:]!=['b700000000000000','9500000000000000']: bad+=1; print('tail?',l[:150],file=sys.stderr); continue
    if op=='ldx':
        tpl=ins[:-2]; orig='%02x12%s00000000'%(0x61|szc,le); k='l'
    elif op=='stx':
        if ins[0]!='b700000000000000': bad+=1; print('head?',l[:150],file=sys.stderr); continue
        tpl=ins[1:-2]; orig='%02x01%s00000000'%(0x63|szc,le); k='s'
    else:
        tpl=ins[:-2]; orig='%02x01%s07000000'%(0x62|szc,le); k='i'
    if tpl==[orig]: continue
    key=f'{ty}:{k}{sz}:{off}'
    if ty=='18' or ty=='25':
        if key in ent and ent[key]!=' '.join(tpl): print('eat-dependent',key,file=sys.stderr)
    ent[key]=' '.join(tpl)
print(len(ent),'bad',bad,file=sys.stderr)
out=['// SPDX-License-Identifier: GPL-2.0-only',
'// The context accesses convert_ctx_accesses() rewrites, per program type, as',
'// the 6.18 x86-64 kernel dumps them (recorded with test/xlated-ctx-probe.c:',
'// one program per access, its xlated insns read back with OBJ_GET_INFO_BY_FD).',
'// Accesses missing here are dumped as loaded. Key: "<prog type>:<l|s|i><b|h|w|d>:<ctx offset>"',
'// (l a BPF_LDX load, s a BPF_STX store, i a BPF_ST store of an immediate).',
'// Value: the replacement insns in hex; in a load r2 stands for the destination and',
'// r1 for the context register, in a store r1 for the context and r0 for the value,',
'// and the immediate 7 of a BPF_ST for the stored one; other registers (r11 =',
"// BPF_REG_AX, the verifier's scratch register, r9 and friends) are as dumped.",
'',
'export const CTX_XLATED_6_18: Readonly<Record<string, string>> = {']
for k,v in ent.items(): out.append(f'  "{k}": "{v}",')
out.append('};')
open(sys.argv[2],'w').write('\n'.join(out)+'\n')
