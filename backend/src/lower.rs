//! Lowering of IR blocks to host machine code through Cranelift (tier 1).
//!
//! Each [`Block`] becomes one position-independent function
//! `fn(env: i64, vcpu: i64) -> i64` in Cranelift's `tail` calling convention, returning 0
//! ("continue at `header.pc`") or an [`ExitReason::encode`]d exit. `vcpu` points to the running
//! thread's [`VcpuCtx`](crate::exec::VcpuCtx) (indirect-jump cache, last exit slot).
//!
//! Exits:
//! - direct (`Goto`, both sides of `Branch`): store the pc, load the exit's link slot (an
//!   `AtomicUsize` whose address is baked in) and tail-call the target if it is linked; otherwise
//!   record the slot in `vcpu.last_slot` (so the dispatcher can link it) and return 0;
//! - `Indirect`: probe the vcpu's direct-mapped jump cache and tail-call on a hit;
//! - `Exit`/`ExitIf`: store the pc and return the encoded reason.
//!
//! At entry the function checks `exit_request` and returns `Halt` (pc = block pc) if set, so
//! chained loops stay interruptible. 128-bit high multiplies and divisions call an out-of-line
//! helper; 128-bit atomics make compilation fail with [`LowerError::Unsupported`], and the engine
//! then keeps that block in the interpreter.

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::{
    self, types, AbiParam, AtomicRmwOp, InstBuilder, MemFlagsData, Signature, UserFuncName,
};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use emu_ir::{
    header_offsets, AtomicOp, BinOp, Block, CastOp, Cond, ExitReason, Inst, Terminal, Type, UnOp,
    Value,
};

use crate::exec::{JC_ENTRY_SIZE, JC_MASK, JC_OFFSET, VCPU_LAST_SLOT_OFFSET};

/// Why a block could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum LowerError {
    #[error("unsupported in compiled code: {0}")]
    Unsupported(String),
    #[error("cranelift: {0}")]
    Cranelift(String),
    #[error("generated code needs relocations")]
    Relocations,
}

/// Per-thread compiler state: the host ISA and reusable Cranelift contexts.
pub struct Lowerer {
    isa: OwnedTargetIsa,
    ctx: Context,
    fctx: FunctionBuilderContext,
}

/// Build the Cranelift ISA for the host.
pub fn host_isa() -> Result<OwnedTargetIsa, LowerError> {
    let err = |e: &dyn std::fmt::Display| LowerError::Cranelift(e.to_string());
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").map_err(|e| err(&e))?;
    let verify = if cfg!(debug_assertions) {
        "true"
    } else {
        "false"
    };
    flags.set("enable_verifier", verify).map_err(|e| err(&e))?;
    flags
        .set("enable_probestack", "false")
        .map_err(|e| err(&e))?;
    // Cranelift's x64 tail calls rely on frame pointers.
    flags
        .set("preserve_frame_pointers", "true")
        .map_err(|e| err(&e))?;
    let builder = cranelift_native::builder().map_err(|e| err(&e))?;
    builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| err(&e))
}

impl Lowerer {
    pub fn new(isa: OwnedTargetIsa) -> Lowerer {
        Lowerer {
            isa,
            ctx: Context::new(),
            fctx: FunctionBuilderContext::new(),
        }
    }

    /// Signature of every block function: `tail fn(env, vcpu) -> i64`.
    fn block_signature() -> Signature {
        let mut sig = Signature::new(CallConv::Tail);
        sig.params.push(AbiParam::new(types::I64));
        sig.params.push(AbiParam::new(types::I64));
        sig.returns.push(AbiParam::new(types::I64));
        sig
    }

    /// Compile `block` to machine code. `slots[i]` is the address of the link slot of direct
    /// exit `i` (0: `Goto` target or `Branch` taken, 1: `Branch` not taken).
    pub fn compile_block(
        &mut self,
        block: &Block,
        slots: [usize; 2],
    ) -> Result<Vec<u8>, LowerError> {
        self.ctx.clear();
        self.ctx.func =
            ir::Function::with_name_signature(UserFuncName::default(), Self::block_signature());
        let call_conv = self.isa.default_call_conv();
        let mut fb = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
        let entry = fb.create_block();
        fb.append_block_params_for_function_params(entry);
        fb.switch_to_block(entry);
        fb.seal_block(entry);
        let env = fb.block_params(entry)[0];
        let vcpu = fb.block_params(entry)[1];
        let mut cx = BlockLowering {
            fb,
            block,
            env,
            vcpu,
            vals: Vec::with_capacity(block.value_types.len()),
            mem: None,
            helper_call_conv: call_conv,
            slots,
        };
        if let Err(e) = cx.lower() {
            // The function is half-built: drop it and start the next one from a clean context.
            drop(cx);
            self.fctx = FunctionBuilderContext::new();
            return Err(e);
        }
        cx.fb.finalize(self.isa.frontend_config());
        self.finish()
    }

    /// Compile the entry trampoline `extern fn(env, vcpu, code) -> i64` (host call conv), which
    /// calls the tail-conv block function at `code`.
    pub fn compile_trampoline(&mut self) -> Result<Vec<u8>, LowerError> {
        self.ctx.clear();
        let mut sig = Signature::new(self.isa.default_call_conv());
        for _ in 0..3 {
            sig.params.push(AbiParam::new(types::I64));
        }
        sig.returns.push(AbiParam::new(types::I64));
        self.ctx.func = ir::Function::with_name_signature(UserFuncName::default(), sig);
        let mut fb = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
        let entry = fb.create_block();
        fb.append_block_params_for_function_params(entry);
        fb.switch_to_block(entry);
        fb.seal_block(entry);
        let p = fb.block_params(entry).to_vec();
        let sigref = fb.import_signature(Self::block_signature());
        let call = fb.ins().call_indirect(sigref, p[2], &[p[0], p[1]]);
        let r = fb.inst_results(call)[0];
        fb.ins().return_(&[r]);
        fb.finalize(self.isa.frontend_config());
        self.finish()
    }

    /// Run Cranelift on `self.ctx.func` and return the position-independent bytes.
    fn finish(&mut self) -> Result<Vec<u8>, LowerError> {
        let compiled = self
            .ctx
            .compile(&*self.isa, &mut ControlPlane::default())
            .map_err(|e| LowerError::Cranelift(format!("{:?}", e.inner)))?;
        if !compiled.buffer.relocs().is_empty() {
            return Err(LowerError::Relocations);
        }
        Ok(compiled.code_buffer().to_vec())
    }
}

/// State while lowering one block.
struct BlockLowering<'a, 'f> {
    fb: FunctionBuilder<'f>,
    block: &'a Block,
    env: ir::Value,
    vcpu: ir::Value,
    /// Cranelift value of each IR value (filled in order of definition).
    vals: Vec<ir::Value>,
    /// `(mem_base, mem_mask)`, loaded at first use (that point dominates every later one).
    mem: Option<(ir::Value, ir::Value)>,
    helper_call_conv: CallConv,
    slots: [usize; 2],
}

/// Cranelift type holding an IR type (V128 is carried as I128: it is only moved).
fn cl_type(ty: Type) -> ir::Type {
    match ty {
        Type::I8 => types::I8,
        Type::I16 => types::I16,
        Type::I32 => types::I32,
        Type::I64 => types::I64,
        Type::I128 | Type::V128 => types::I128,
        Type::F32 => types::F32,
        Type::F64 => types::F64,
    }
}

fn int_cc(cond: Cond) -> IntCC {
    match cond {
        Cond::Eq => IntCC::Equal,
        Cond::Ne => IntCC::NotEqual,
        Cond::LtS => IntCC::SignedLessThan,
        Cond::LeS => IntCC::SignedLessThanOrEqual,
        Cond::GtS => IntCC::SignedGreaterThan,
        Cond::GeS => IntCC::SignedGreaterThanOrEqual,
        Cond::LtU => IntCC::UnsignedLessThan,
        Cond::LeU => IntCC::UnsignedLessThanOrEqual,
        Cond::GtU => IntCC::UnsignedGreaterThan,
        Cond::GeU => IntCC::UnsignedGreaterThanOrEqual,
    }
}

fn rmw_op(op: AtomicOp) -> AtomicRmwOp {
    match op {
        AtomicOp::Add => AtomicRmwOp::Add,
        AtomicOp::And => AtomicRmwOp::And,
        AtomicOp::Or => AtomicRmwOp::Or,
        AtomicOp::Xor => AtomicRmwOp::Xor,
        AtomicOp::Xchg => AtomicRmwOp::Xchg,
        AtomicOp::SMin => AtomicRmwOp::Smin,
        AtomicOp::SMax => AtomicRmwOp::Smax,
        AtomicOp::UMin => AtomicRmwOp::Umin,
        AtomicOp::UMax => AtomicRmwOp::Umax,
    }
}

/// 128-bit operations computed out of line by [`wide_binary_helper`] (index = its `op` argument).
const WIDE_OPS: [BinOp; 7] = [
    BinOp::MulHiU,
    BinOp::MulHiS,
    BinOp::MulHiSU,
    BinOp::DivU,
    BinOp::DivS,
    BinOp::RemU,
    BinOp::RemS,
];

/// Compute `WIDE_OPS[op]` on 128-bit operands given as halves, with the interpreter's semantics,
/// and store the result at `out`.
extern "C" fn wide_binary_helper(
    op: u64,
    a_lo: u64,
    a_hi: u64,
    b_lo: u64,
    b_hi: u64,
    out: *mut u8,
) -> u64 {
    let join = |lo: u64, hi: u64| u128::from(hi) << 64 | u128::from(lo);
    let op = WIDE_OPS[op as usize % WIDE_OPS.len()];
    let r = emu_ir::interp::eval_binary(op, Type::I128, join(a_lo, a_hi), join(b_lo, b_hi));
    // SAFETY: generated code passes the address of a 16-byte stack slot it owns.
    unsafe { std::ptr::write_unaligned(out as *mut u128, r) };
    0
}

/// Flags for CPU-state and link-slot accesses: never trap.
fn state_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// Flags for guest memory accesses: may fault (inside the guest window), may be unaligned.
fn guest_flags() -> MemFlagsData {
    MemFlagsData::new()
}

fn unsupported(what: impl std::fmt::Display) -> LowerError {
    LowerError::Unsupported(what.to_string())
}

impl BlockLowering<'_, '_> {
    fn lower(&mut self) -> Result<(), LowerError> {
        self.check_exit_request();
        for data in &self.block.insts {
            let r = self.lower_inst(&data.inst)?;
            if let (Some(v), Some(r)) = (data.result, r) {
                debug_assert_eq!(v.index(), self.vals.len());
                self.vals.push(r);
            }
        }
        self.lower_terminal()
    }

    fn val(&self, v: Value) -> ir::Value {
        self.vals[v.index()]
    }

    fn ty(&self, v: Value) -> Type {
        self.block.ty(v)
    }

    fn iconst(&mut self, v: u64) -> ir::Value {
        self.fb.ins().iconst(types::I64, v as i64)
    }

    fn store_pc(&mut self, pc: ir::Value) {
        let env = self.env;
        self.fb
            .ins()
            .store(state_flags(), pc, env, header_offsets::PC);
    }

    fn store_pc_const(&mut self, pc: u64) {
        let v = self.iconst(pc);
        self.store_pc(v);
    }

    fn return_code(&mut self, code: u64) {
        let v = self.iconst(code);
        self.fb.ins().return_(&[v]);
    }

    /// Branch to a fresh block when `cond != 0`; returns (taken block, fall-through block), the
    /// builder positioned in neither.
    fn split(&mut self, cond: ir::Value) -> (ir::Block, ir::Block) {
        let yes = self.fb.create_block();
        let no = self.fb.create_block();
        self.fb.ins().brif(cond, yes, &[], no, &[]);
        self.fb.seal_block(yes);
        self.fb.seal_block(no);
        (yes, no)
    }

    /// `if exit_request != 0 { pc = block.pc; return Halt }`.
    fn check_exit_request(&mut self) {
        let env = self.env;
        let req = self
            .fb
            .ins()
            .load(types::I32, state_flags(), env, header_offsets::EXIT_REQUEST);
        let (halt, body) = self.split(req);
        self.fb.switch_to_block(halt);
        self.store_pc_const(self.block.pc);
        self.return_code(ExitReason::Halt.encode());
        self.fb.switch_to_block(body);
    }

    /// Host address of guest address `addr`: `mem_base + (addr & mem_mask)`.
    fn host_addr(&mut self, addr: Value) -> ir::Value {
        let (base, mask) = match self.mem {
            Some(m) => m,
            None => {
                let env = self.env;
                let f = state_flags();
                let base = self
                    .fb
                    .ins()
                    .load(types::I64, f, env, header_offsets::MEM_BASE);
                let mask = self
                    .fb
                    .ins()
                    .load(types::I64, f, env, header_offsets::MEM_MASK);
                self.mem = Some((base, mask));
                (base, mask)
            }
        };
        let a = self.as_u64_bits(addr);
        let off = self.fb.ins().band(a, mask);
        self.fb.ins().iadd(base, off)
    }

    /// The IR value as an I64 (zero-extended or truncated; floats as bits).
    fn as_u64_bits(&mut self, v: Value) -> ir::Value {
        let x = self.val(v);
        match self.ty(v) {
            Type::I8 | Type::I16 | Type::I32 => self.fb.ins().uextend(types::I64, x),
            Type::I64 => x,
            Type::I128 | Type::V128 => self.fb.ins().ireduce(types::I64, x),
            Type::F32 => {
                let i = self.fb.ins().bitcast(types::I32, MemFlagsData::new(), x);
                self.fb.ins().uextend(types::I64, i)
            }
            Type::F64 => self.fb.ins().bitcast(types::I64, MemFlagsData::new(), x),
        }
    }

    /// An I64 holding raw bits, converted to a value of IR type `ty` (its low bits).
    fn value_from_u64_bits(&mut self, x: ir::Value, ty: Type) -> ir::Value {
        match ty {
            Type::I8 | Type::I16 | Type::I32 => self.fb.ins().ireduce(cl_type(ty), x),
            Type::I64 => x,
            Type::I128 | Type::V128 => self.fb.ins().uextend(types::I128, x),
            Type::F32 => {
                let i = self.fb.ins().ireduce(types::I32, x);
                self.fb.ins().bitcast(types::F32, MemFlagsData::new(), i)
            }
            Type::F64 => self.fb.ins().bitcast(types::F64, MemFlagsData::new(), x),
        }
    }

    /// A condition value usable by `brif`/`select` (128-bit ones are compared with 0 first).
    fn cond(&mut self, v: Value) -> ir::Value {
        let x = self.val(v);
        if cl_type(self.ty(v)) == types::I128 {
            self.fb.ins().icmp_imm_s(IntCC::NotEqual, x, 0)
        } else {
            x
        }
    }

    fn constant(&mut self, ty: Type, imm: u128) -> ir::Value {
        let imm = imm & ty.mask();
        match ty {
            Type::F32 => self.fb.ins().f32const(Ieee32::with_bits(imm as u32)),
            Type::F64 => self.fb.ins().f64const(Ieee64::with_bits(imm as u64)),
            Type::I128 | Type::V128 => {
                let lo = self.iconst(imm as u64);
                let hi = self.iconst((imm >> 64) as u64);
                self.fb.ins().iconcat(lo, hi)
            }
            _ => self.fb.ins().iconst(cl_type(ty), imm as u64 as i64),
        }
    }

    /// Lower one instruction; returns its result value, if any.
    fn lower_inst(&mut self, inst: &Inst) -> Result<Option<ir::Value>, LowerError> {
        let env = self.env;
        let r = match inst {
            Inst::Const { ty, imm } => self.constant(*ty, *imm),
            Inst::ReadReg { ty, offset } => {
                self.fb
                    .ins()
                    .load(cl_type(*ty), state_flags(), env, *offset as i32)
            }
            Inst::WriteReg { offset, value } => {
                let v = self.val(*value);
                self.fb.ins().store(state_flags(), v, env, *offset as i32);
                return Ok(None);
            }
            Inst::Unary { op, arg } => self.unary(*op, *arg),
            Inst::Binary { op, lhs, rhs } => self.binary(*op, *lhs, *rhs)?,
            Inst::Cast { op, ty, arg } => self.cast(*op, *ty, *arg),
            Inst::Icmp { cond, lhs, rhs } => {
                let (a, b) = (self.val(*lhs), self.val(*rhs));
                self.fb.ins().icmp(int_cc(*cond), a, b)
            }
            Inst::Select {
                cond,
                if_true,
                if_false,
            } => {
                let c = self.cond(*cond);
                let (a, b) = (self.val(*if_true), self.val(*if_false));
                self.fb.ins().select(c, a, b)
            }
            Inst::Load { ty, addr } => {
                let p = self.host_addr(*addr);
                self.fb.ins().load(cl_type(*ty), guest_flags(), p, 0)
            }
            Inst::Store { addr, value } => {
                let p = self.host_addr(*addr);
                let v = self.val(*value);
                self.fb.ins().store(guest_flags(), v, p, 0);
                return Ok(None);
            }
            Inst::AtomicRmw {
                op,
                ty,
                addr,
                value,
            } => {
                let ct = Self::atomic_type(*ty)?;
                let p = self.host_addr(*addr);
                let v = self.val(*value);
                self.fb
                    .ins()
                    .atomic_rmw(ct, guest_flags(), rmw_op(*op), p, v)
            }
            Inst::AtomicCas {
                ty,
                addr,
                expected,
                replacement,
            } => {
                Self::atomic_type(*ty)?;
                let p = self.host_addr(*addr);
                let (e, x) = (self.val(*expected), self.val(*replacement));
                self.fb.ins().atomic_cas(guest_flags(), p, e, x)
            }
            Inst::Fence => {
                self.fb.ins().fence();
                return Ok(None);
            }
            Inst::Call { helper, args } => return Ok(self.call(helper, args)),
            Inst::ExitIf { cond, reason, pc } => {
                let c = self.cond(*cond);
                let (exit, cont) = self.split(c);
                self.fb.switch_to_block(exit);
                self.store_pc_const(*pc);
                self.return_code(reason.encode());
                self.fb.switch_to_block(cont);
                return Ok(None);
            }
        };
        Ok(Some(r))
    }

    /// Integer types host atomics exist for.
    fn atomic_type(ty: Type) -> Result<ir::Type, LowerError> {
        match ty {
            Type::I8 | Type::I16 | Type::I32 | Type::I64 => Ok(cl_type(ty)),
            _ => Err(unsupported(format!("atomic of type {ty:?}"))),
        }
    }

    /// Call a helper through its absolute address (host call conv; args and result as I64).
    fn call(&mut self, helper: &emu_ir::Helper, args: &[Value]) -> Option<ir::Value> {
        let mut sig = Signature::new(self.helper_call_conv);
        for _ in 0..=args.len() {
            sig.params.push(AbiParam::new(types::I64));
        }
        sig.returns.push(AbiParam::new(types::I64));
        let sigref = self.fb.import_signature(sig);
        let mut argv = vec![self.env];
        for a in args {
            let x = self.as_u64_bits(*a);
            argv.push(x);
        }
        let callee = self.iconst(helper.func.addr() as u64);
        let call = self.fb.ins().call_indirect(sigref, callee, &argv);
        let r = self.fb.inst_results(call)[0];
        helper.ret.map(|ty| self.value_from_u64_bits(r, ty))
    }

    fn unary(&mut self, op: UnOp, arg: Value) -> ir::Value {
        let x = self.val(arg);
        let ins = self.fb.ins();
        match op {
            UnOp::Not => ins.bnot(x),
            UnOp::Neg => ins.ineg(x),
            UnOp::Clz => ins.clz(x),
            UnOp::Ctz => ins.ctz(x),
            UnOp::Popcnt => ins.popcnt(x),
            UnOp::Bswap if self.block.ty(arg).bytes() == 1 => x,
            UnOp::Bswap => ins.bswap(x),
            UnOp::FNeg => ins.fneg(x),
            UnOp::FAbs => ins.fabs(x),
            UnOp::FSqrt => ins.sqrt(x),
        }
    }

    fn cast(&mut self, op: CastOp, to: Type, arg: Value) -> ir::Value {
        let x = self.val(arg);
        let (from_cl, to_cl) = (cl_type(self.ty(arg)), cl_type(to));
        if from_cl == to_cl {
            return x;
        }
        let ins = self.fb.ins();
        match op {
            CastOp::ZExt => ins.uextend(to_cl, x),
            CastOp::SExt => ins.sextend(to_cl, x),
            CastOp::Trunc => ins.ireduce(to_cl, x),
            CastOp::Bitcast => ins.bitcast(to_cl, MemFlagsData::new(), x),
        }
    }

    fn binary(&mut self, op: BinOp, lhs: Value, rhs: Value) -> Result<ir::Value, LowerError> {
        let ty = self.ty(lhs);
        let (a, mut b) = (self.val(lhs), self.val(rhs));
        let wide = cl_type(ty) == types::I128;
        let r = match op {
            BinOp::Add => self.fb.ins().iadd(a, b),
            BinOp::Sub => self.fb.ins().isub(a, b),
            BinOp::Mul => self.fb.ins().imul(a, b),
            BinOp::MulHiU | BinOp::MulHiS | BinOp::MulHiSU if wide => self.wide_binary(op, a, b)?,
            BinOp::MulHiU => self.fb.ins().umulhi(a, b),
            BinOp::MulHiS => self.fb.ins().smulhi(a, b),
            BinOp::MulHiSU => {
                // mulhsu(a, b) = mulhu(a, b) - (a < 0 ? b : 0)
                let hi = self.fb.ins().umulhi(a, b);
                let sign = self.fb.ins().sshr_imm_u(a, i64::from(ty.bits() - 1));
                let fix = self.fb.ins().band(sign, b);
                self.fb.ins().isub(hi, fix)
            }
            BinOp::DivU | BinOp::DivS | BinOp::RemU | BinOp::RemS if wide => {
                self.wide_binary(op, a, b)?
            }
            BinOp::DivU | BinOp::DivS | BinOp::RemU | BinOp::RemS => self.divide(op, ty, a, b),
            BinOp::And => self.fb.ins().band(a, b),
            BinOp::Or => self.fb.ins().bor(a, b),
            BinOp::Xor => self.fb.ins().bxor(a, b),
            BinOp::Shl | BinOp::ShrU | BinOp::ShrS | BinOp::RotL | BinOp::RotR => {
                if cl_type(self.ty(rhs)) == types::I128 && !wide {
                    b = self.fb.ins().ireduce(types::I64, b);
                }
                let ins = self.fb.ins();
                match op {
                    BinOp::Shl => ins.ishl(a, b),
                    BinOp::ShrU => ins.ushr(a, b),
                    BinOp::ShrS => ins.sshr(a, b),
                    BinOp::RotL => ins.rotl(a, b),
                    _ => ins.rotr(a, b),
                }
            }
            BinOp::FAdd => self.fb.ins().fadd(a, b),
            BinOp::FSub => self.fb.ins().fsub(a, b),
            BinOp::FMul => self.fb.ins().fmul(a, b),
            BinOp::FDiv => self.fb.ins().fdiv(a, b),
        };
        Ok(r)
    }

    /// A 128-bit operation with no inline lowering: call [`wide_binary_helper`], which returns
    /// the result through a stack slot.
    fn wide_binary(
        &mut self,
        op: BinOp,
        a: ir::Value,
        b: ir::Value,
    ) -> Result<ir::Value, LowerError> {
        let index = WIDE_OPS
            .iter()
            .position(|&o| o == op)
            .ok_or_else(|| unsupported(format!("128-bit {op:?}")))?;
        let slot = self.fb.create_sized_stack_slot(ir::StackSlotData::new(
            ir::StackSlotKind::ExplicitSlot,
            16,
            4,
        ));
        let out = self.fb.ins().stack_addr(types::I64, slot, 0);
        let (a_lo, a_hi) = self.fb.ins().isplit(a);
        let (b_lo, b_hi) = self.fb.ins().isplit(b);
        let op_index = self.iconst(index as u64);
        let mut sig = Signature::new(self.helper_call_conv);
        for _ in 0..6 {
            sig.params.push(AbiParam::new(types::I64));
        }
        sig.returns.push(AbiParam::new(types::I64));
        let sigref = self.fb.import_signature(sig);
        let callee = self.iconst(wide_binary_helper as *const () as u64);
        self.fb
            .ins()
            .call_indirect(sigref, callee, &[op_index, a_lo, a_hi, b_lo, b_hi, out]);
        Ok(self.fb.ins().load(types::I128, state_flags(), out, 0))
    }

    /// Total division with RISC-V results, never trapping on the host: operands are widened to
    /// 64 bits, the divisor is replaced by 1 where the host would trap (`x / 0`, `MIN / -1`),
    /// and the special results are selected afterwards.
    fn divide(&mut self, op: BinOp, ty: Type, a: ir::Value, b: ir::Value) -> ir::Value {
        let signed = matches!(op, BinOp::DivS | BinOp::RemS);
        let narrow = ty.bits() < 64;
        let widen = |fb: &mut FunctionBuilder, x| {
            if !narrow {
                x
            } else if signed {
                fb.ins().sextend(types::I64, x)
            } else {
                fb.ins().uextend(types::I64, x)
            }
        };
        let (wa, wb) = (widen(&mut self.fb, a), widen(&mut self.fb, b));
        let ins = &mut self.fb;
        let one = ins.ins().iconst(types::I64, 1);
        let zero_div = ins.ins().icmp_imm_s(IntCC::Equal, wb, 0);
        let mut trap = zero_div;
        if signed && !narrow {
            // MIN / -1 overflows on the host; only 64-bit operands can hit it after widening.
            let min = ins.ins().icmp_imm_s(IntCC::Equal, wa, i64::MIN);
            let m1 = ins.ins().icmp_imm_s(IntCC::Equal, wb, -1);
            let both = ins.ins().band(min, m1);
            trap = ins.ins().bor(trap, both);
        }
        let safe_b = ins.ins().select(trap, one, wb);
        let q = match op {
            BinOp::DivU => ins.ins().udiv(wa, safe_b),
            BinOp::DivS => ins.ins().sdiv(wa, safe_b),
            BinOp::RemU => ins.ins().urem(wa, safe_b),
            _ => ins.ins().srem(wa, safe_b),
        };
        // Divisor 0: quotient all ones, remainder the dividend. (MIN / 1 = MIN and MIN % 1 = 0
        // already give RISC-V's overflow results.)
        let on_zero = match op {
            BinOp::DivU | BinOp::DivS => ins.ins().iconst(types::I64, -1),
            _ => wa,
        };
        let r = ins.ins().select(zero_div, on_zero, q);
        if narrow {
            ins.ins().ireduce(cl_type(ty), r)
        } else {
            r
        }
    }

    fn lower_terminal(&mut self) -> Result<(), LowerError> {
        match &self.block.terminal {
            Terminal::Goto(pc) => self.direct_exit(self.slots[0], *pc),
            Terminal::Branch {
                cond,
                taken,
                not_taken,
            } => {
                let c = self.cond(*cond);
                let (yes, no) = self.split(c);
                self.fb.switch_to_block(yes);
                self.direct_exit(self.slots[0], *taken);
                self.fb.switch_to_block(no);
                self.direct_exit(self.slots[1], *not_taken);
            }
            Terminal::Indirect(v) => {
                let target = self.as_u64_bits(*v);
                self.indirect_exit(target);
            }
            Terminal::Exit { reason, pc } => {
                self.store_pc_const(*pc);
                self.return_code(reason.encode());
            }
        }
        Ok(())
    }

    /// Tail-call the block function at `code` with the same `env` and `vcpu`.
    fn tail_call(&mut self, code: ir::Value) {
        let sigref = self.fb.import_signature(Lowerer::block_signature());
        let (env, vcpu) = (self.env, self.vcpu);
        self.fb
            .ins()
            .return_call_indirect(sigref, code, &[env, vcpu]);
    }

    /// Record `slot` (0 for none) as the exit taken and return 0 to the dispatcher.
    fn return_to_dispatcher(&mut self, slot: u64) {
        let s = self.iconst(slot);
        let vcpu = self.vcpu;
        self.fb
            .ins()
            .store(state_flags(), s, vcpu, VCPU_LAST_SLOT_OFFSET);
        self.return_code(0);
    }

    /// Direct exit to `pc` through the link slot at address `slot` (0: no slot, never chained).
    fn direct_exit(&mut self, slot: usize, pc: u64) {
        self.store_pc_const(pc);
        if slot == 0 {
            self.return_to_dispatcher(0);
            return;
        }
        let s = self.iconst(slot as u64);
        let code = self.fb.ins().load(types::I64, state_flags(), s, 0);
        let (linked, unlinked) = self.split(code);
        self.fb.switch_to_block(linked);
        self.tail_call(code);
        self.fb.switch_to_block(unlinked);
        self.return_to_dispatcher(slot as u64);
    }

    /// Indirect exit: probe the vcpu's jump cache for (`target`, this block's flags).
    fn indirect_exit(&mut self, target: ir::Value) {
        self.store_pc(target);
        let f = state_flags();
        let vcpu = self.vcpu;
        let ins = &mut self.fb;
        let idx = ins.ins().ushr_imm_u(target, 1);
        let idx = ins.ins().band_imm_u(idx, JC_MASK as i64);
        let off = ins.ins().imul_imm_u(idx, JC_ENTRY_SIZE as i64);
        let entry = ins.ins().iadd(vcpu, off);
        let tag = ins.ins().load(types::I64, f, entry, JC_OFFSET);
        let flags = ins.ins().load(types::I64, f, entry, JC_OFFSET + 8);
        let code = ins.ins().load(types::I64, f, entry, JC_OFFSET + 16);
        let tag_ok = ins.ins().icmp(IntCC::Equal, tag, target);
        let flags_ok = ins
            .ins()
            .icmp_imm_u(IntCC::Equal, flags, i64::from(self.block.flags));
        let key_ok = ins.ins().band(tag_ok, flags_ok);
        let zero = ins.ins().iconst(types::I64, 0);
        let hit = ins.ins().select(key_ok, code, zero);
        let (yes, no) = self.split(hit);
        self.fb.switch_to_block(yes);
        self.tail_call(hit);
        self.fb.switch_to_block(no);
        self.return_to_dispatcher(0);
    }
}
